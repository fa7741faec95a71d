"""Country activity returns: sniffing and guarding, reading, validating, feedback, loading and the template."""
