"""Names the actions and the Rasa server plugins must agree on, kept free of Rasa imports so both can read them."""

# The intent a reminder triggers when it fires (domain.yml maps it to action_reminder_due).
REMINDER_INTENT = "EXTERNAL_reminder"

# The slot action_delete_my_data sets once a deletion is confirmed; the tracker store then drops
# the conversation's stored events (the typed answers live there too).
DELETED_SLOT = "data_deleted"

# The key under which the REST channel puts a client's own message id into the message's metadata; the
# actions read it there to apply a retried answer once.
MESSAGE_ID_KEY = "message_id"
