"""Community Hub: one platform for a council and its partners to coordinate community support."""
