-- Search: Postgres full-text search over the messages of my conversations, matching as I type
-- (every word a prefix), accents and case folded (unaccent, available on hosted Supabase, on a
-- Postgres server's contrib and in PGlite), newest first with a keyset cursor, the match marked in
-- a short excerpt. RLS bounds every result: search_messages is security invoker and reads the
-- messages table under its policy. The same folding serves the conversation list's name filter.
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

-- Index expressions must be immutable; the configuration is fixed by this migration.
create function private.message_search_vector(body text) returns tsvector
language sql
immutable
parallel safe
set search_path = ''
as $$
  select to_tsvector('private.message_search'::regconfig, body)
$$;
comment on function private.message_search_vector(text) is 'The searchable words of a message body: lower case, accents folded (the index messages_search_idx is built on it).';

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

-- Executed as the writing user when a message is stored (the index expression) and by the invoker
-- search and list functions.
revoke execute on function private.message_search_vector(text), private.message_search_query(text),
  private.search_fold(text), private.search_headline(text, tsquery)
  from public, anon, authenticated, service_role;
grant execute on function private.message_search_vector(text), private.message_search_query(text),
  private.search_fold(text), private.search_headline(text, tsquery)
  to authenticated, service_role;

-- =============================================================================================
-- Index
-- =============================================================================================
create index messages_search_idx on public.messages using gin (private.message_search_vector(body));

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
-- One statement. The explicit "my conversations" narrows the index hits before the messages policy
-- (which applies as well, being invoker) checks each row.
#variable_conflict use_column
begin
  return query
  with q as (
    select private.message_search_query(search_messages.query) as tsq
  ), hits as (
    select m.id, m.conversation_id, m.seq, m.sender_id, m.created_at, m.body
    from public.messages m
    where private.message_search_vector(m.body) @@ (select q.tsq from q)
      and m.deleted_at is null
      and m.conversation_id in (
        select c.id from public.conversations c
        where (c.trainer_id = (select auth.uid()) or c.trainee_id = (select auth.uid()))
          and (search_messages.within_conversation_id is null or c.id = search_messages.within_conversation_id)
      )
      and (m.created_at, m.id) < (
        coalesce(search_messages.before_created_at, 'infinity'::timestamptz),
        coalesce(search_messages.before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))
    order by m.created_at desc, m.id desc
    limit least(greatest(search_messages.page_size, 1), 50)
  )
  select h.id, h.conversation_id, h.seq, h.sender_id, h.created_at,
    private.search_headline(h.body, q.tsq),
    o.id, o.display_name
  from hits h
  cross join q
  join public.conversations c on c.id = h.conversation_id
  left join public.profiles o
    on o.id = case when c.trainer_id = (select auth.uid()) then c.trainee_id else c.trainer_id end
  order by h.created_at desc, h.id desc;
end;
$$;
comment on function public.search_messages(text, uuid, timestamptz, uuid, integer) is 'Finds messages in my conversations (or one of them) whose words start with every word typed, accents and case ignored; newest first, a page (max 50) after the keyset cursor (created_at, id). Each hit: where it is (conversation, seq), who sent it, and an excerpt with matches between U+E000 and U+E001. Deleted messages are never found.';

revoke execute on function public.search_messages(text, uuid, timestamptz, uuid, integer) from public, anon;
grant execute on function public.search_messages(text, uuid, timestamptz, uuid, integer) to authenticated;
