"""Rasa custom actions: thin doors from Rasa's tracker into the services in `bot/`."""
