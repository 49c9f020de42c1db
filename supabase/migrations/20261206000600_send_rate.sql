-- The sending rate limit, stated once and readable by the app: at most 30 messages in any minute
-- per sender. private.sending_resumes_at() is the rule; the message insert trigger refuses with
-- SP005 while it answers a time, and public.seconds_until_sending() lets the app count down to
-- that time instead of guessing (its clock and the database's need not agree).

-- =============================================================================================
-- Helpers
-- =============================================================================================

-- About the caller only (the limit applies to API senders, who send as themselves). Invoker: called
-- by the insert trigger (as its owner) and by public.seconds_until_sending() (as the caller, whose
-- own messages RLS shows in full: they are all in the caller's conversations).
create function private.sending_resumes_at() returns timestamptz
language sql
stable
set search_path = ''
as $$
  -- Refused while 30 messages fall in the last minute: until the 30th newest is a minute old.
  select r.resumes_at
  from (
    select m.created_at + interval '1 minute' as resumes_at
    from public.messages m
    where m.sender_id = (select auth.uid())
    order by m.created_at desc
    limit 1 offset 29
  ) r
  where r.resumes_at > clock_timestamp()
$$;
comment on function private.sending_resumes_at() is 'The rate limit (at most 30 messages per minute per sender): when the caller may send again, or null when they may send now.';

revoke execute on function private.sending_resumes_at() from public, anon, authenticated, service_role;
grant execute on function private.sending_resumes_at() to authenticated;

update private.error_codes
set meaning = 'Rate limit: at most 30 messages per minute per sender (message insert trigger, by private.sending_resumes_at; public.seconds_until_sending() says how long to wait).'
where code = 'SP005';

-- =============================================================================================
-- Trigger functions (the message insert trigger as the message-actions migration left it, now
-- asking the rule above; otherwise unchanged)
-- =============================================================================================

-- Before a message is stored: every rule about the message itself (see the top of the messaging
-- migration), then one update of the conversation that numbers the message and keeps its aggregates
-- (last message, preview, the recipient's unread count). A failed insert rolls that update back
-- with it. Definer: senders cannot update conversations.
create or replace function private.handle_message_before_insert() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  from_api boolean := (select auth.role()) = 'authenticated';
  conv public.conversations;
  resumes_at timestamptz;
begin
  -- Who is sending: a live session, as themselves; the server stamps time, read and edit state.
  if from_api then
    perform private.assert_live_session();
    new.sender_id := coalesce(new.sender_id, (select auth.uid()));
    if new.sender_id is distinct from (select auth.uid()) then
      raise exception 'messages can only be sent as yourself' using errcode = '42501';
    end if;
    new.read_at := null;
    new.created_at := null;
    new.edited_at := null;
    new.deleted_at := null;
  end if;

  new.body := private.checked_message_body(new.body);

  -- The conversation: the sender takes part in it.
  select * into conv from public.conversations c where c.id = new.conversation_id;
  if not found
     or (new.sender_id is distinct from conv.trainer_id and new.sender_id is distinct from conv.trainee_id) then
    perform private.refuse_not_linked();
  end if;

  if new.reply_to_id is not null and not exists (
    select 1 from public.messages r
    where r.id = new.reply_to_id and r.conversation_id = new.conversation_id
  ) then
    raise exception 'the message you reply to is not in this conversation' using errcode = 'SP107';
  end if;

  if from_api then
    -- One sender's sends are serialized (profile row lock, always taken before the conversation
    -- row), so the limit is exact under concurrency.
    perform 1 from public.profiles p where p.id = new.sender_id for no key update;
    -- The sender is the caller (checked above).
    resumes_at := private.sending_resumes_at();
    if resumes_at is not null then
      raise exception 'you are sending too fast: at most 30 messages per minute'
        using errcode = 'SP005',
          hint = format('Sending works again in %s seconds (public.seconds_until_sending() tells how long).',
            ceil(extract(epoch from resumes_at - clock_timestamp()))::integer);
    end if;
  end if;

  -- Locks the conversation row: sends to one conversation are serialized, so seq order is commit
  -- order and a client catching up with "seq > last seen" never misses a message.
  update public.conversations c
  set last_message_seq = c.last_message_seq + 1,
      last_message_id = new.id,
      last_message_at = coalesce(new.created_at, greatest(clock_timestamp(), c.last_message_at)),
      last_message_preview = private.message_preview(new.body),
      last_message_sender_id = new.sender_id,
      trainer_unread_count = c.trainer_unread_count
        + case when new.read_at is null and new.sender_id is distinct from c.trainer_id then 1 else 0 end,
      trainee_unread_count = c.trainee_unread_count
        + case when new.read_at is null and new.sender_id is distinct from c.trainee_id then 1 else 0 end
  where c.id = new.conversation_id
  returning * into conv;
  if conv.archived_at is not null then
    raise exception 'this conversation is archived and read-only' using errcode = 'SP002',
      hint = case conv.archived_reason
        when 'unlinked' then 'The trainee is no longer linked to this trainer.'
        else 'The other person''s account was deleted.' end;
  end if;
  new.seq := conv.last_message_seq;
  new.created_at := conv.last_message_at;
  return new;
end;
$$;
comment on function private.handle_message_before_insert() is 'Validates a new message (session, sender, body, conversation, reply target, rate limit by private.sending_resumes_at, archive), assigns seq and server time, and updates the conversation aggregates. Definer: senders cannot update conversations.';

-- =============================================================================================
-- API functions
-- =============================================================================================
create function public.seconds_until_sending() returns numeric
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  return coalesce(
    round(extract(epoch from private.sending_resumes_at() - clock_timestamp()), 3),
    0
  );
end;
$$;
comment on function public.seconds_until_sending() is 'How many seconds until I may send again under the rate limit (at most 30 messages per minute); 0 when I may send now.';

revoke execute on function public.seconds_until_sending() from public, anon;
grant execute on function public.seconds_until_sending() to authenticated;
