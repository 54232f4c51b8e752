"""Local stand-ins of the platform APIs: deterministic data, ground truth and faults."""
