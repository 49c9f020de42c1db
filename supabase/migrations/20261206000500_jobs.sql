-- Jobs on a schedule: database functions run by pg_cron. On hosted Supabase this migration creates
-- the extension (supautils lets postgres create it, in pg_catalog as Supabase installs it, and grants
-- postgres the cron schema); locally the platform SQL provides pg_cron's schema and localbase/cron
-- (or scripts/jobs.ts on a plain Postgres server) runs the same cron.job rows. Jobs are registered
-- by name with cron.schedule, so applying this again only updates them. Times are UTC.
--
--   spotter-purge-deleted-messages   daily 03:17: the text of messages deleted more than 30 days
--                                    ago (and their earlier versions) leaves the database.

-- =============================================================================================
-- The scheduler
-- =============================================================================================
do $$
begin
  if to_regnamespace('cron') is null then
    if not exists (select 1 from pg_catalog.pg_available_extensions e where e.name = 'pg_cron') then
      raise exception 'scheduled jobs need pg_cron (hosted Supabase) or the cron schema of localbase/sql/platform.sql'
        using errcode = '0A000';
    end if;
    create extension pg_cron with schema pg_catalog;
  end if;
end
$$;

-- =============================================================================================
-- Job functions (run by the scheduler as the migration role; no API role may call them)
-- =============================================================================================
create function private.deleted_message_retention() returns interval
language sql
immutable
parallel safe
set search_path = ''
as $$
  select interval '30 days'
$$;
comment on function private.deleted_message_retention() is 'How long the text of a deleted message is kept for admins: 30 days.';

create function private.purge_deleted_messages() returns integer
language plpgsql
set search_path = ''
as $$
declare
  purged integer;
begin
  delete from private.message_versions v
  using private.deleted_messages d
  where v.message_id = d.message_id and d.deleted_at < now() - private.deleted_message_retention();
  delete from private.deleted_messages d
  where d.deleted_at < now() - private.deleted_message_retention();
  get diagnostics purged = row_count;
  return purged;
end;
$$;
comment on function private.purge_deleted_messages() is 'Removes the kept text (and earlier versions) of messages deleted more than private.deleted_message_retention() ago; returns how many messages it purged. Run daily by the job spotter-purge-deleted-messages.';

revoke execute on function private.deleted_message_retention(), private.purge_deleted_messages()
  from public, anon, authenticated, service_role;

-- =============================================================================================
-- Jobs
-- =============================================================================================
select cron.schedule('spotter-purge-deleted-messages', '17 3 * * *', 'select private.purge_deleted_messages()');
