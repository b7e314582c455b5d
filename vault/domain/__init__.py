"""The domain model of Beeldkluis."""
