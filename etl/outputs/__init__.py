"""What the monitor hands out: metric exports, the XLSX writer and the progress report."""
