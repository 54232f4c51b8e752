"""Stand-in for the ECB euro foreign exchange reference rates (historical CSV file)."""
