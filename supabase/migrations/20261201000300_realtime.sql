-- Realtime: private channels only, authorized by RLS on realtime.messages.
--   conversation:<id>  participants of a non-archived conversation: new messages and read receipts
--                      (broadcast by the database), typing via presence.
--   user:<id>          that user only, receive-only: inbox changes and the unread total.
-- Clients write only presence: every broadcast comes from the database (realtime.send in the
-- trigger functions below, which run as their owner and are not subject to these policies). The
-- other participant may be an adversary, so clients treat every event as a hint and the database
-- as the truth.

-- =============================================================================================
-- Helpers
-- =============================================================================================
create function private.topic_conversation_id(topic text) returns uuid
language sql
immutable
set search_path = ''
as $$
  select case
    when topic ~ '^conversation:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    then substr(topic, 14)::uuid
  end
$$;
comment on function private.topic_conversation_id(text) is 'The conversation id of a conversation:<uuid> topic, or null for any other topic.';

-- Invoker: the conversations policy applies inside it too.
create function private.is_active_participant(topic text) returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (
    select 1 from public.conversations c
    where c.id = private.topic_conversation_id(is_active_participant.topic)
      and (c.trainer_id = (select auth.uid()) or c.trainee_id = (select auth.uid()))
      and c.archived_at is null
  )
$$;
comment on function private.is_active_participant(text) is 'Whether the caller takes part in the non-archived conversation a conversation:<uuid> topic names (for the realtime policies).';

-- =============================================================================================
-- Trigger functions (definer: they write realtime.messages on behalf of the database)
-- =============================================================================================
create function private.handle_message_broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object('message', to_jsonb(new)),
    'message_created',
    'conversation:' || new.conversation_id::text,
    true
  );
  return null;
end;
$$;
comment on function private.handle_message_broadcast() is 'Broadcasts each new message to its conversation topic after commit.';

create function private.handle_messages_read_broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object(
      'conversation_id', r.conversation_id,
      'reader_id', (select auth.uid()),
      'up_to_seq', r.up_to_seq,
      'read_at', r.read_at,
      'count', r.count
    ),
    'messages_read',
    'conversation:' || r.conversation_id::text,
    true
  )
  from (
    select n.conversation_id, max(n.seq) as up_to_seq, max(n.read_at) as read_at, count(*) as count
    from new_rows n
    join old_rows o on o.id = n.id
    where o.read_at is null and n.read_at is not null
    group by n.conversation_id
  ) r;
  return null;
end;
$$;
comment on function private.handle_messages_read_broadcast() is 'Broadcasts read receipts (✓✓) to the conversation topic, once per statement and conversation.';

create function private.handle_conversation_broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  participant uuid;
begin
  -- A deleted participant (now null) has no one left to tell.
  foreach participant in array array[new.trainer_id, new.trainee_id] loop
    continue when participant is null;
    perform realtime.send(
      jsonb_build_object(
        'conversation_id', new.id,
        'other_party_id', case when participant = new.trainer_id then new.trainee_id else new.trainer_id end,
        'last_message_at', new.last_message_at,
        'last_message_preview', new.last_message_preview,
        'last_message_sender_id', new.last_message_sender_id,
        'last_message_seq', new.last_message_seq,
        'unread_count', case when participant = new.trainer_id then new.trainer_unread_count
                             when participant = new.trainee_id then new.trainee_unread_count else 0 end,
        'unread_total', coalesce((select t.total from private.unread_totals t where t.user_id = participant), 0),
        'archived_at', new.archived_at,
        'archived_reason', new.archived_reason
      ),
      'conversation_changed',
      'user:' || participant::text,
      true
    );
  end loop;
  return null;
end;
$$;
comment on function private.handle_conversation_broadcast() is 'Tells both participants (topic user:<id>) that a conversation changed: new message, read, archived or restored.';

revoke execute on function private.topic_conversation_id(text), private.is_active_participant(text),
  private.handle_message_broadcast(), private.handle_messages_read_broadcast(),
  private.handle_conversation_broadcast()
  from public, anon, authenticated, service_role;
-- Used inside the realtime.messages policies, which run as the joining user (invoker).
grant execute on function private.topic_conversation_id(text), private.is_active_participant(text)
  to authenticated;

-- =============================================================================================
-- Triggers
-- =============================================================================================
create trigger messages_after_insert_broadcast
  after insert on public.messages
  for each row execute function private.handle_message_broadcast();

create trigger messages_after_update_broadcast_reads
  after update on public.messages
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.handle_messages_read_broadcast();

-- Only changes a participant can see; numbering a new message (last_message_seq alone) is not one.
create trigger conversations_after_update_broadcast
  after update on public.conversations
  for each row
  when (
    old.last_message_id is distinct from new.last_message_id
    or old.trainer_unread_count <> new.trainer_unread_count
    or old.trainee_unread_count <> new.trainee_unread_count
    or old.archived_at is distinct from new.archived_at
    or old.trainer_id is distinct from new.trainer_id
    or old.trainee_id is distinct from new.trainee_id
  )
  execute function private.handle_conversation_broadcast();

-- =============================================================================================
-- Realtime authorization (policies on realtime.messages, checked when a private channel is joined)
-- =============================================================================================
create policy "Participants can receive on their conversation topic and users on their own topic"
  on realtime.messages for select
  to authenticated
  using (
    (
      realtime.messages.extension = 'broadcast'
      and (select realtime.topic()) = 'user:' || (select auth.uid())::text
    )
    or (
      realtime.messages.extension in ('broadcast', 'presence')
      and (select private.is_active_participant(realtime.topic()))
    )
  );

-- Presence only: no client broadcasts on any topic, not even its own conversation's.
create policy "Participants can track presence on their active conversation topic"
  on realtime.messages for insert
  to authenticated
  with check (
    realtime.messages.extension = 'presence'
    -- Dashboard impersonation reads what the user reads but never speaks (typing, presence).
    and (select s.is_live from private.my_session s)
    and (select private.is_active_participant(realtime.topic()))
  );
