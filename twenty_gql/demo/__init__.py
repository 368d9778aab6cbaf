"""The demo: a deterministic data set and the main job the README runs."""
