"""Publishing: the output folder's lock, atomic file sets, the manifest and the cache."""
