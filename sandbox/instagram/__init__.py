"""Stand-in of Instagram media insights (``graph.instagram.com``)."""
