"""SMS: reminders and notices in the participant's language through a console or Twilio backend; replies and opt-outs."""
