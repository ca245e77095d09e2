"""Read side of margins: set-based SQL over the hourly rollups, never over raw usage events."""
