"""Images drawn from a room's results (the word cloud), off the event loop."""
