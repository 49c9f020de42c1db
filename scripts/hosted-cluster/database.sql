-- Ownership and grants of a hosted project's database, applied as the superuser after the platform
-- SQL (localbase/sql/platform.sql) to the template every test database of the private cluster is
-- copied from. The platform objects get the owners they have on hosted; postgres gets what hosted
-- grants it, and nothing more.

-- auth: Supabase Auth's tables and helpers, owned by supabase_auth_admin, with RLS on (platform SQL).
alter table auth.users owner to supabase_auth_admin;
alter table auth.identities owner to supabase_auth_admin;
alter table auth.sessions owner to supabase_auth_admin;
alter table auth.refresh_tokens owner to supabase_auth_admin;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
grant all on schema auth to supabase_auth_admin;
grant usage on schema auth to postgres;
-- The tables of the first auth schema (users, refresh_tokens) were granted to postgres in full when
-- it was demoted (which is what lets a migration put a trigger on auth.users); the tables Supabase
-- Auth added later (identities, sessions) only SELECT, with grant option.
grant all on auth.users, auth.refresh_tokens to postgres;
grant all on sequence auth.refresh_tokens_id_seq to postgres;
grant select on auth.identities, auth.sessions to postgres with grant option;
grant execute on all functions in schema auth to postgres;

-- realtime: messages owned by supabase_realtime_admin; postgres may read and write rows (what
-- Realtime's own migration grants) and, through the supautils emulation, only create policies.
alter table realtime.messages owner to supabase_realtime_admin;
grant usage on schema realtime to postgres with grant option;
grant select, insert, update on realtime.messages to postgres;

-- storage: the Storage API's tables and helpers, owned by supabase_storage_admin (the platform SQL
-- creates them with RLS on); postgres may read and write rows, with grant option, and through the
-- supautils emulation only create policies on buckets and objects.
alter table storage.buckets owner to supabase_storage_admin;
alter table storage.objects owner to supabase_storage_admin;
alter type storage.buckettype owner to supabase_storage_admin;
do $$
declare
  f regprocedure;
begin
  for f in select p.oid::regprocedure from pg_proc p where p.pronamespace = 'storage'::regnamespace loop
    execute format('alter function %s owner to supabase_storage_admin', f);
  end loop;
end
$$;
grant all on storage.buckets, storage.objects to postgres with grant option;
grant execute on all functions in schema storage to postgres;

-- extensions: as on hosted, postgres has the schema in full.
grant all on schema extensions to postgres;

-- EMULATION of supautils' policy_grants, second half (roles.sql has the first): of the DDL postgres
-- runs on the platform tables below, only CREATE, ALTER and DROP POLICY are allowed; anything else
-- on those tables, their triggers or their indexes fails as hosted answers it, 42501 "must be owner".
create schema if not exists hosted_emulation;
revoke all on schema hosted_emulation from public;

create or replace function hosted_emulation.policy_only_tables() returns regclass[]
language sql immutable
set search_path = ''
as $$
  select array['realtime.messages', 'storage.buckets', 'storage.objects']::regclass[]
$$;

create or replace function hosted_emulation.policy_grants_only() returns event_trigger
language plpgsql
set search_path = ''
as $$
declare
  command record;
  target regclass;
begin
  if current_user <> 'postgres' then
    return;
  end if;
  for command in select * from pg_event_trigger_ddl_commands() loop
    continue when command.command_tag in ('CREATE POLICY', 'ALTER POLICY', 'DROP POLICY');
    target := case
      when command.classid = 'pg_class'::regclass then
        coalesce((select i.indrelid::regclass from pg_index i where i.indexrelid = command.objid),
                 command.objid::regclass)
      when command.classid = 'pg_trigger'::regclass then
        (select g.tgrelid::regclass from pg_trigger g where g.oid = command.objid)
    end;
    if target = any (hosted_emulation.policy_only_tables()) then
      raise exception 'must be owner of table % (% on %: supautils allows postgres only policies there)',
        (select c.relname from pg_class c where c.oid = target), command.command_tag, target
        using errcode = '42501';
    end if;
  end loop;
end;
$$;

create or replace function hosted_emulation.policy_grants_only_drops() returns event_trigger
language plpgsql
set search_path = ''
as $$
declare
  dropped record;
  t regclass;
begin
  if current_user <> 'postgres' then
    return;
  end if;
  for dropped in select * from pg_event_trigger_dropped_objects() loop
    continue when dropped.object_type = 'policy';
    foreach t in array hosted_emulation.policy_only_tables() loop
      if dropped.object_identity = t::text or dropped.object_identity like '% on ' || t::text then
        raise exception 'must be owner of table % (dropping % %: supautils allows postgres only policies there)',
          (select c.relname from pg_class c where c.oid = t), dropped.object_type, dropped.object_identity
          using errcode = '42501';
      end if;
    end loop;
  end loop;
end;
$$;

drop event trigger if exists hosted_policy_grants_only;
create event trigger hosted_policy_grants_only on ddl_command_end
  execute function hosted_emulation.policy_grants_only();
drop event trigger if exists hosted_policy_grants_only_drops;
create event trigger hosted_policy_grants_only_drops on sql_drop
  execute function hosted_emulation.policy_grants_only_drops();

-- cron: on hosted, pg_cron is created by supabase_admin (supautils' privileged extensions) and an
-- event trigger grants postgres the schema, its tables, sequences and functions. The platform SQL's
-- stand-in, owned here by the superuser, gets the same grants.
grant usage on schema cron to postgres with grant option;
grant all on all tables in schema cron to postgres with grant option;
grant all on all sequences in schema cron to postgres with grant option;
grant execute on all functions in schema cron to postgres with grant option;
