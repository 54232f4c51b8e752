"""Instagram Graph API source: media insights of the creator posts used in partnership ads."""
