"""Stand-in of the Threads API (``graph.threads.net``)."""
