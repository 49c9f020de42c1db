-- A new message before its inbox events (issue 16): the same events, in a different order.
--
-- A sent message updates its conversation in the message's before-insert trigger, and that update
-- used to tell both participants (conversation_changed) at once, before the message's own
-- message_created. The recipient's open chat therefore updated its list, title and badge before it
-- could draw the message (bench/README.md, 7a). Now a new message's conversation update leaves its
-- inbox events to the message's after-insert trigger, which sends them right after message_created,
-- from the conversation as the statement left it. Every other conversation update (a read, an edit
-- or delete of the newest message, an archive, a triage change) tells both participants at once,
-- as before. The payloads are unchanged.

create function private.send_conversation_events(conversation public.conversations) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  event record;
begin
  -- A deleted participant (now null) has no one left to tell.
  for event in
    select * from private.conversation_events(conversation, array[conversation.trainer_id, conversation.trainee_id])
  loop
    perform realtime.send(event.payload, 'conversation_changed', 'user:' || event.participant::text, true);
  end loop;
end;
$$;
comment on function private.send_conversation_events(public.conversations) is 'Sends conversation_changed with the conversation as it now is to each of its participants (user:<id>).';
revoke execute on function private.send_conversation_events(public.conversations)
  from public, anon, authenticated, service_role;

create or replace function private.handle_conversation_broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- A new message's own update: its row is not written yet (this runs inside its before-insert
  -- trigger), and private.handle_message_created sends these events after message_created.
  if new.last_message_id is not null
     and new.last_message_id is distinct from old.last_message_id
     and not exists (select 1 from public.messages m where m.id = new.last_message_id) then
    return null;
  end if;
  perform private.send_conversation_events(new);
  return null;
end;
$$;
comment on function private.handle_conversation_broadcast() is 'Tells both participants of an updated conversation (conversation_changed on user:<id>), except for a new message''s own update, whose events private.handle_message_created sends after the message. Definer: no API role writes realtime.messages.';

create or replace function private.handle_message_created() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  conv public.conversations;
  recipient uuid;
  outbox_id bigint;
begin
  perform realtime.send(
    jsonb_build_object(
      'message', to_jsonb(new),
      'attachments', case when new.attachment_count > 0 then private.message_attachments_json(new.id) else '[]'::jsonb end
    ),
    'message_created',
    'conversation:' || new.conversation_id::text,
    true
  );

  select * into conv from public.conversations c where c.id = new.conversation_id;
  if not found then
    return null;
  end if;

  -- The inbox events its conversation update left to it (private.handle_conversation_broadcast).
  -- Several new messages of one conversation in one statement: the newest tells its final state.
  if conv.last_message_id = new.id then
    perform private.send_conversation_events(conv);
  end if;

  -- The push outbox row for the recipient of an unread message.
  if new.read_at is null then
    recipient := case when conv.trainer_id = new.sender_id then conv.trainee_id else conv.trainer_id end;
    if recipient is not null then
      insert into private.push_outbox (message_id, recipient_id, created_at, not_before)
      values (new.id, recipient, new.created_at, new.created_at + interval '2 seconds')
      returning id into outbox_id;
      -- Wakes a listening dispatcher after commit; the interval sweep covers a dispatcher that was down.
      perform pg_notify(private.push_channel(), outbox_id::text);
    end if;
  end if;

  -- The searchable words.
  if new.deleted_at is null then
    insert into private.message_search (message_id, conversation_id, trainer_id, trainee_id, created_at, words)
    values (new.id, new.conversation_id, conv.trainer_id, conv.trainee_id, new.created_at,
      private.message_search_vector(new.body));
  end if;
  return null;
end;
$$;
comment on function private.handle_message_created() is 'What a new message sets off after its row is written, in order: the message_created broadcast with its attachments ({message, attachments}) on conversation:<id>, its conversation''s inbox events to both participants, the push outbox row for the recipient of an unread message (and a wake-up notification), the searchable words. Definer: no API role writes realtime.messages, the outbox or the search table.';
