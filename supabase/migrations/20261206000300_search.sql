-- Search: Postgres full-text search over the messages of my conversations, matching as I type
-- (every word a prefix), accents and case folded (unaccent, available on hosted Supabase, on a
-- Postgres server's contrib and in PGlite), newest first with a keyset cursor, the match marked in
-- a short excerpt. The same folding serves the conversation list's name filter.
--
-- The searchable words live in private.message_search, one row per message kept by a trigger, with
-- the conversation's pair copied in, so a probe never parses a message again. A deleted message has
-- no row. The table is server-only; a user reads it through the view private.my_message_search, which
-- shows only the rows of their own conversations (as private.my_link shows only the caller's link):
-- a policy would put its check before the words index (the text match is not leakproof), and every
-- probe would walk all of the user's messages. search_messages then reads the hits' messages through
-- the messages policy: RLS bounds every result.
--
-- Highlights are marked with the private-use characters U+E000 (start) and U+E001 (end), which are
-- removed from the text first, so a message cannot fake a highlight and no HTML is ever produced.

-- =============================================================================================
-- Extensions and text search configuration
-- =============================================================================================
create extension if not exists unaccent with schema extensions;

-- The simple configuration (no stemming, no stop words: messages mix languages and a prefix must
-- match what was typed) with accents folded first.
create text search configuration private.message_search (copy = pg_catalog.simple);
alter text search configuration private.message_search
  alter mapping for word, hword, hword_part with extensions.unaccent, pg_catalog.simple;
comment on text search configuration private.message_search is 'Message search: simple (lower case, no stemming) with accents folded by unaccent.';

-- =============================================================================================
-- Helpers
-- =============================================================================================

create function private.message_search_vector(body text) returns tsvector
language sql
immutable
parallel safe
set search_path = ''
as $$
  select to_tsvector('private.message_search'::regconfig, body)
$$;
comment on function private.message_search_vector(text) is 'The searchable words of a message body: lower case, accents folded (stored in private.message_search).';

-- What was typed, as "every word, each as a prefix": 'squ kné' finds "Squats at the knee". The
-- words come from the same parser as the index, so punctuation and operators typed by the user are
-- never tsquery syntax. Null when nothing searchable was typed.
create function private.message_search_query(query text) returns tsquery
language sql
immutable
parallel safe
set search_path = ''
as $$
  select to_tsquery('pg_catalog.simple'::regconfig, string_agg(quote_literal(w.lexeme) || ':*', ' & '))
  from unnest(to_tsvector('private.message_search'::regconfig, coalesce(query, ''))) as w
$$;
comment on function private.message_search_query(text) is 'The tsquery for a search as typed: each word folded like private.message_search_vector and matched as a prefix, all words required. Null for a query with no words.';

create function private.search_fold(value text) returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select lower(extensions.unaccent('extensions.unaccent'::regdictionary, value))
$$;
comment on function private.search_fold(text) is 'Text in lower case with accents removed, for matching names as typed.';

create function private.search_headline(body text, query tsquery) returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select ts_headline(
    'private.message_search'::regconfig,
    translate(body, U&'\E000\E001', ''),
    query,
    'StartSel=' || U&'\E000' || ', StopSel=' || U&'\E001' || ', MaxWords=30, MinWords=12, ShortWord=2'
  )
$$;
comment on function private.search_headline(text, tsquery) is 'An excerpt of a message around what matched, each match between U+E000 and U+E001 (characters removed from the text first).';

-- Executed by the invoker search and list functions.
revoke execute on function private.message_search_vector(text), private.message_search_query(text),
  private.search_fold(text), private.search_headline(text, tsquery)
  from public, anon, authenticated, service_role;
grant execute on function private.message_search_query(text), private.search_fold(text),
  private.search_headline(text, tsquery)
  to authenticated, service_role;

-- =============================================================================================
-- Tables
-- =============================================================================================
create table private.message_search (
  message_id uuid primary key references public.messages (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  trainer_id uuid,
  trainee_id uuid,
  created_at timestamptz not null,
  words tsvector not null
);
comment on table private.message_search is 'Server-only (RLS on, no policy): the searchable words of every message not deleted, with its conversation''s pair, kept by trigger. Users read their own rows through private.my_message_search.';
comment on column private.message_search.message_id is 'The message.';
comment on column private.message_search.conversation_id is 'Its conversation.';
comment on column private.message_search.trainer_id is 'The conversation''s trainer when the message was sent (the pair never changes; a deleted user is no longer anyone).';
comment on column private.message_search.trainee_id is 'The conversation''s trainee when the message was sent.';
comment on column private.message_search.created_at is 'When the message was sent (the order of results).';
comment on column private.message_search.words is 'private.message_search_vector of the message''s current text.';

-- A rare word: the words index. A common one, or a user with few messages: the user's messages
-- newest first, checking the stored words. The planner picks per query (search_messages is planned
-- with the words typed).
create index message_search_words_idx on private.message_search using gin (words);
create index message_search_trainer_idx on private.message_search (trainer_id, created_at desc, message_id desc);
create index message_search_trainee_idx on private.message_search (trainee_id, created_at desc, message_id desc);
create index message_search_conversation_idx on private.message_search (conversation_id, created_at desc, message_id desc);

revoke all on private.message_search from public, anon, authenticated, service_role;

create view private.my_message_search as
  select s.message_id, s.conversation_id, s.trainer_id, s.trainee_id, s.created_at, s.words
  from private.message_search s
  where s.trainer_id = (select auth.uid()) or s.trainee_id = (select auth.uid());
comment on view private.my_message_search is 'The caller''s rows of private.message_search (the messages of their conversations), for search_messages.';
grant select on private.my_message_search to authenticated;

-- =============================================================================================
-- Trigger functions
-- =============================================================================================

-- Definer: the search rows are written by no API role.
create function private.handle_message_search() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and (new.deleted_at is not null or new.body is distinct from old.body) then
    delete from private.message_search s where s.message_id = new.id;
  end if;
  if new.deleted_at is null and (tg_op = 'INSERT' or new.body is distinct from old.body) then
    insert into private.message_search (message_id, conversation_id, trainer_id, trainee_id, created_at, words)
    select new.id, new.conversation_id, c.trainer_id, c.trainee_id, new.created_at,
      private.message_search_vector(new.body)
    from public.conversations c
    where c.id = new.conversation_id;
  end if;
  return null;
end;
$$;
comment on function private.handle_message_search() is 'Keeps private.message_search: a new or edited message''s words, none for a deleted one. Definer: no API role writes it.';

revoke execute on function private.handle_message_search() from public, anon, authenticated, service_role;

create trigger messages_after_write_search
  after insert or update of body, deleted_at on public.messages
  for each row execute function private.handle_message_search();

-- Messages stored before this migration.
insert into private.message_search (message_id, conversation_id, trainer_id, trainee_id, created_at, words)
select m.id, m.conversation_id, c.trainer_id, c.trainee_id, m.created_at, private.message_search_vector(m.body)
from public.messages m
join public.conversations c on c.id = m.conversation_id
where m.deleted_at is null;

-- =============================================================================================
-- Row-level security
-- =============================================================================================
alter table private.message_search enable row level security;

-- =============================================================================================
-- API functions
-- =============================================================================================
create function public.search_messages(
  query text,
  within_conversation_id uuid default null,
  before_created_at timestamptz default null,
  before_id uuid default null,
  page_size integer default 20
)
returns table (
  id uuid,
  conversation_id uuid,
  seq bigint,
  sender_id uuid,
  created_at timestamptz,
  headline text,
  other_party_id uuid,
  other_party_name text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
-- One statement, planned with the words typed and who I am (EXECUTE … USING: values the planner
-- sees): how common the words are, and how many messages I have, decide between the words index and
-- walking my messages newest first. The conversation and cursor conditions are written only when
-- given, so a first page is planned without them. A user is a trainer or a trainee, so one of the
-- two branches finds nothing at once.
declare
  within text := case when search_messages.within_conversation_id is not null
    then 'and s.conversation_id = $2' else '' end;
  after text := case when search_messages.before_created_at is not null or search_messages.before_id is not null
    then 'and (s.created_at, s.message_id) < (coalesce($3, ''infinity''::timestamptz),
          coalesce($4, ''ffffffff-ffff-ffff-ffff-ffffffffffff''::uuid))' else '' end;
begin
  return query execute format($query$
    with hits as (
      (select s.message_id, s.created_at
       from private.my_message_search s
       where s.trainer_id = $6 and s.words @@ private.message_search_query($1) %1$s %2$s
       order by s.created_at desc, s.message_id desc
       limit least(greatest($5, 1), 50))
      union all
      (select s.message_id, s.created_at
       from private.my_message_search s
       where s.trainee_id = $6 and s.words @@ private.message_search_query($1) %1$s %2$s
       order by s.created_at desc, s.message_id desc
       limit least(greatest($5, 1), 50))
    )
    select m.id, m.conversation_id, m.seq, m.sender_id, m.created_at,
      private.search_headline(m.body, private.message_search_query($1)),
      o.id, o.display_name
    from hits h
    join public.messages m on m.id = h.message_id and m.deleted_at is null
    join public.conversations c on c.id = m.conversation_id
    left join public.profiles o
      on o.id = case when c.trainer_id = $6 then c.trainee_id else c.trainer_id end
    order by h.created_at desc, h.message_id desc
    limit least(greatest($5, 1), 50)
  $query$, within, after)
  using search_messages.query, search_messages.within_conversation_id, search_messages.before_created_at,
    search_messages.before_id, search_messages.page_size, (select auth.uid());
end;
$$;
comment on function public.search_messages(text, uuid, timestamptz, uuid, integer) is 'Finds messages in my conversations (or one of them) whose words start with every word typed, accents and case ignored; newest first, a page (max 50) after the keyset cursor (created_at, id). Each hit: where it is (conversation, seq), who sent it, and an excerpt with matches between U+E000 and U+E001. Deleted messages are never found.';

revoke execute on function public.search_messages(text, uuid, timestamptz, uuid, integer) from public, anon;
grant execute on function public.search_messages(text, uuid, timestamptz, uuid, integer) to authenticated;
