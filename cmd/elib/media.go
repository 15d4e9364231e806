package main

// Linking package media registers the video parser with package element,
// so split, import, check, reindex and serve accept .mp4 .mov .mkv .webm.
import _ "elib/media"
