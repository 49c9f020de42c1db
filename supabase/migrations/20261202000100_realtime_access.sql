-- Realtime: when who may use a conversation topic changes (the conversation is archived or
-- restored, a participant is deleted), the database says so on that topic with the event
-- access_changed. Each participant's app, still joined to the topic, leaves the channel and reads
-- the conversation again. A realtime server may act on it too: hosted Realtime checks a channel's
-- access only when it is joined and when a new access token arrives, so an already-joined channel
-- of the other side keeps its cached permissions until then; localbase checks every channel on
-- the topic again when it delivers this event and closes those that lost access (its README says
-- so). The payload carries only what the database decided, never anything a client wrote.

-- =============================================================================================
-- Trigger functions (definer: they write realtime.messages on behalf of the database)
-- =============================================================================================
create function private.handle_conversation_access_broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object(
      'conversation_id', new.id,
      'archived_at', new.archived_at,
      'archived_reason', new.archived_reason
    ),
    'access_changed',
    'conversation:' || new.id::text,
    true
  );
  return null;
end;
$$;
comment on function private.handle_conversation_access_broadcast() is 'Tells the conversation topic (event access_changed) that who may use it changed: archived, restored or a participant gone.';

revoke execute on function private.handle_conversation_access_broadcast()
  from public, anon, authenticated, service_role;

-- =============================================================================================
-- Triggers
-- =============================================================================================
create trigger conversations_after_update_broadcast_access
  after update on public.conversations
  for each row
  when (
    old.archived_at is distinct from new.archived_at
    or old.trainer_id is distinct from new.trainer_id
    or old.trainee_id is distinct from new.trainee_id
  )
  execute function private.handle_conversation_access_broadcast();
