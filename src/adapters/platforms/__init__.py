"""One module per social platform, each implementing the SocialPlatform port over httpx."""
