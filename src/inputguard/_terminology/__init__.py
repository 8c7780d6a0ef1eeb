"""The terminology family: vocabularies, folding and matching, and the validator using them."""
