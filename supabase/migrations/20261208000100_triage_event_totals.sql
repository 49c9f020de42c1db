-- The conversation_changed event of a triage change carries the unread total after the change.
--
-- Postgres runs the triggers of one event in name order. In the triage migration
-- conversation_settings_after_write_broadcast sorted before ..._after_write_unread_totals, so
-- muting a conversation told the app the total from before the mute (the badge stayed wrong until
-- the next event). The totals trigger stays AFTER (a BEFORE INSERT trigger would also fire for the
-- row an "insert … on conflict do update" ends up not inserting, counting the change twice) and is
-- renamed to sort before the broadcast.

-- =============================================================================================
-- Triggers
-- =============================================================================================
alter trigger conversation_settings_after_write_unread_totals on public.conversation_settings
  rename to conversation_settings_after_write_add_to_unread_totals;
comment on trigger conversation_settings_after_write_add_to_unread_totals on public.conversation_settings is 'Moves a change of mute or marked unread into the user''s unread total. Its name sorts before conversation_settings_after_write_broadcast, so the event carries the new total.';
