"""Repository memory: history mining, indexes, conventions, skills and recall."""
