"""The provenance family: source registries, keys and signatures, and the validator using them."""
