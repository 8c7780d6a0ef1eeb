"""The freshness family: is a record's timestamp recent enough, and not from the future?"""
