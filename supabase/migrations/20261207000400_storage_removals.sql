-- Removing files: what the database queues in private.storage_removals (the files of deleted
-- messages, and uploads never attached to a message after a day) is removed through the Storage
-- API by a worker holding the service key (src/lib/server/storage-removals.ts, in the process that
-- sends push); a plain SQL delete on storage.objects is refused on hosted and would leave the file.
--
--   spotter-queue-unattached-uploads   hourly at :41: queues attachments uploaded more than
--                                      private.unattached_upload_retention() ago that no message
--                                      references (as its file or a video's poster).

-- =============================================================================================
-- Job and worker functions (the scheduler and the worker run as the migration role; no API role
-- may call them)
-- =============================================================================================
create function private.unattached_upload_retention() returns interval
language sql
immutable
parallel safe
set search_path = ''
as $$
  select interval '1 day'
$$;
comment on function private.unattached_upload_retention() is 'How long an upload may wait to be attached to a message before it is removed: 1 day.';

create function private.queue_unattached_uploads() returns integer
language plpgsql
set search_path = ''
as $$
declare
  queued integer;
begin
  insert into private.storage_removals (bucket_id, object_name)
  select o.bucket_id, o.name
  from storage.objects o
  where o.bucket_id = 'attachments'
    and o.created_at < now() - private.unattached_upload_retention()
    and not exists (select 1 from public.message_attachments a where a.path = o.name)
    and not exists (select 1 from public.message_attachments a where a.meta ->> 'poster_path' = o.name)
  on conflict (bucket_id, object_name) do update
    set done_at = null, not_before = now(), attempts = 0, locked_until = null, last_error = null,
        queued_at = now(), message_id = null
    where private.storage_removals.done_at is not null;
  get diagnostics queued = row_count;
  return queued;
end;
$$;
comment on function private.queue_unattached_uploads() is 'Queues for removal the attachments uploads older than private.unattached_upload_retention() that no message references; returns how many. Run hourly by the job spotter-queue-unattached-uploads.';

-- Claim: due rows nobody holds, oldest first, leased; rows another worker is claiming are skipped.
-- A queued upload that a message has referenced since is not removed (finished as such).
create function private.storage_removals_claim(batch_size integer, lease interval)
returns table (id bigint, bucket_id text, object_name text)
language plpgsql
set search_path = ''
as $$
#variable_conflict use_column
begin
  update private.storage_removals r
  set done_at = now(), locked_until = null, last_error = 'kept: a message references it'
  where r.done_at is null and r.message_id is null and r.bucket_id = 'attachments'
    and (exists (select 1 from public.message_attachments a where a.path = r.object_name)
         or exists (select 1 from public.message_attachments a where a.meta ->> 'poster_path' = r.object_name));

  return query
  with due as (
    select r.id from private.storage_removals r
    where r.done_at is null
      and r.not_before <= now()
      and (r.locked_until is null or r.locked_until <= now())
    order by r.id
    limit greatest(storage_removals_claim.batch_size, 1)
    for update skip locked
  )
  update private.storage_removals r
  set locked_until = now() + storage_removals_claim.lease, attempts = r.attempts + 1
  from due
  where r.id = due.id
  returning r.id, r.bucket_id, r.object_name;
end;
$$;
comment on function private.storage_removals_claim(integer, interval) is 'Claims up to batch_size due removals for lease (skipping rows another worker holds) and returns them; first finishes queued uploads that a message references since.';

-- The Storage API answered: removed (or already gone) for done, an error for failed, retried
-- later (1, 4, 9… minutes, at most an hour).
create function private.storage_removals_finish(done bigint[], failed bigint[], error text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  update private.storage_removals r
  set done_at = now(), locked_until = null, last_error = null
  where r.id = any(storage_removals_finish.done);
  update private.storage_removals r
  set locked_until = null, last_error = left(storage_removals_finish.error, 500),
      not_before = now() + least(interval '1 hour', make_interval(mins => r.attempts * r.attempts))
  where r.id = any(storage_removals_finish.failed);
end;
$$;
comment on function private.storage_removals_finish(bigint[], bigint[], text) is 'Records what the Storage API answered for claimed removals: done, or failed with the error (retried with growing delay).';

revoke execute on function private.unattached_upload_retention(), private.queue_unattached_uploads(),
  private.storage_removals_claim(integer, interval), private.storage_removals_finish(bigint[], bigint[], text)
  from public, anon, authenticated, service_role;

-- =============================================================================================
-- Jobs
-- =============================================================================================
select cron.schedule('spotter-queue-unattached-uploads', '41 * * * *', 'select private.queue_unattached_uploads()');
