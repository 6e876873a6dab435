"""Page and snippet types of the public site."""
