-- The roles of a hosted Supabase project, created in a private cluster whose bootstrap superuser
-- plays supabase_admin. Cluster-wide; applied once, as that superuser, before anything else.

-- postgres as on a hosted project: not a superuser. It applies the migrations (supabase db push) and
-- is the role the push dispatcher connects as.
create role postgres login nosuperuser createdb createrole replication bypassrls;

-- The API roles PostgREST and Realtime switch to; authenticator is the one that logs in.
create role anon nologin inherit;
create role authenticated nologin inherit;
create role service_role nologin inherit bypassrls;
create role authenticator login noinherit;
grant anon, authenticated, service_role to authenticator;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';

-- The platform services' owners: Supabase Auth owns the auth tables, Realtime owns realtime.messages,
-- the Storage API owns storage.buckets and storage.objects.
create role supabase_auth_admin login noinherit;
create role supabase_realtime_admin nologin noinherit;
create role supabase_storage_admin login noinherit createrole;
create role dashboard_user nologin;

-- What postgres is a member of on a hosted project. (On PG 16 and later the API roles are granted
-- WITH ADMIN OPTION; PG 15 has no separate admin, inherit and set options per grant.)
grant anon, authenticated, service_role to postgres;
grant pg_monitor, pg_read_all_data, pg_signal_backend to postgres;

-- EMULATION of supautils' policy_grants. On a hosted project the supautils extension lets postgres
-- CREATE, ALTER and DROP POLICY on realtime.messages, storage.buckets and storage.objects without
-- owning them; any other DDL on those tables fails with 42501 "must be owner". Here postgres becomes
-- a member of their owners, supabase_realtime_admin and supabase_storage_admin: CREATE POLICY checks
-- exactly "is the current role the owner or a member inheriting from it", so the policies of the
-- migrations are created as on hosted. Membership would also allow every other owner act, so the
-- event trigger of database.sql refuses any DDL postgres runs on those tables other than CREATE,
-- ALTER and DROP POLICY: together, what policy_grants allows there. (Membership also lends postgres DELETE on realtime.messages, which hosted does not
-- grant; the migrations delete nothing from it. Storage rows stay guarded by their delete trigger.)
grant supabase_realtime_admin, supabase_storage_admin to postgres;
