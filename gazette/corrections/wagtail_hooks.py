from wagtail import hooks
from wagtail.log_actions import LogFormatter

from . import services


@hooks.register("register_log_actions")
def register_log_actions(actions):
    def _note(log_entry) -> str:
        note = log_entry.data.get("note", {})
        return f"{note.get('label', 'Note')}: “{(note.get('text') or '')[:120]}”"

    @actions.register_action(services.WITHDRAW_ACTION)
    class Withdrawn(LogFormatter):
        label = "Withdraw a note to readers"

        def format_message(self, log_entry):
            return f"Withdrew {_note(log_entry)}. Why: {log_entry.data.get('reason')}"

    @actions.register_action(services.REMOVE_ACTION)
    class Removed(LogFormatter):
        label = "Remove a note to readers"

        def format_message(self, log_entry):
            return f"Removed {_note(log_entry)}. {log_entry.data.get('reason')}"

    @actions.register_action(services.REINSTATE_ACTION)
    class Reinstated(LogFormatter):
        label = "Reinstate a note to readers"

        def format_message(self, log_entry):
            return f"Showed again {_note(log_entry)}"
