import { CAPABILITIES } from '../auth.js';
import { ApiError, json, type Reply, type Req } from '../http.js';
import { publicSettingsView } from '../settings.js';
import { certificateStatus } from '../tls.js';
import {
  errorReply,
  isReply,
  requirePerm,
  requireUser,
  sessionState,
  SETTINGS_MANAGE,
  type ServerCtx,
} from './context.js';
import { LOCAL_STRATEGY } from './login.js';

/** Version as an unset Go build reports it; `commit` tells a curious client this is the sandbox. */
export const SANDBOX_VERSION = 'v0.0.0';

/** GET /api/v1/info: anonymous unless a valid session cookie came along (api/info.go). */
export function info(ctx: ServerCtx, req: Req): Reply {
  const st = sessionState(ctx, req);
  const user = st.kind === 'ok' ? st.user : undefined;
  return json(200, {
    name: 'pika',
    version: SANDBOX_VERSION,
    commit: 'pikactl-sandbox',
    managed_tls_enabled: Boolean(ctx.tls),
    subtitle: 'pikactl sandbox (rehearsal server)',
    ...(user ? { user: user.username } : {}),
    auth_enabled: true,
    builtin_auth: true,
    is_superadmin: user?.superadmin ?? false,
    permissions: user ? [...user.permissions] : [],
    capabilities: CAPABILITIES.map((key) => ({ key })),
    vault_enabled: false,
    local_login_name: LOCAL_STRATEGY,
    local_login_form_collapsed: false,
    account_security_available: true,
    ...(ctx.encryptionConfigInvalid ? { encryption_config_invalid: true } : {}),
  });
}

/** Session + settings.manage, then `fn`; handler errors become the {"message"} body. */
function manage(ctx: ServerCtx, req: Req, fn: () => Reply): Reply {
  const user = requireUser(ctx, req);
  if (isReply(user)) return user;
  const denied = requirePerm(user, SETTINGS_MANAGE, req);
  if (denied) return denied;
  try {
    return fn();
  } catch (err) {
    return errorReply(err, req);
  }
}

/**
 * GET /api/v1/settings. Upstream's handler returns the settings error unwrapped, so
 * the 500 reads "settings: sealed payload corrupt or unreadable: …" (no "read settings:").
 */
export function settings(ctx: ServerCtx, req: Req): Reply {
  return manage(ctx, req, () => json(200, publicSettingsView(ctx.keys.read(null))));
}

export function clusterStatus(ctx: ServerCtx, req: Req): Reply {
  return manage(ctx, req, () =>
    json(
      200,
      ctx.cluster?.status() ?? {
        enabled: false,
        role: 'standalone',
        is_leader: true,
        leader_healthy: true,
        leader_addr: '',
        local_addr: '',
        peer_count: 0,
        online_nodes: 1,
        expected_replicas: 1,
        quorum_nodes_required: 1,
        has_quorum: true,
        version: SANDBOX_VERSION,
        config: {},
        nodes: [],
      },
    ),
  );
}

/** GET /api/v1/tls/status. The TLS policy lives in the settings row, so this reads it first. */
export function tlsStatus(ctx: ServerCtx, req: Req): Reply {
  return manage(ctx, req, () => {
    ctx.keys.read(null);
    const on = Boolean(ctx.tls);
    return json(200, {
      process_enabled: on,
      https_enabled: on,
      plain_http_enabled: !on,
      certificate: ctx.tls ? certificateStatus(ctx.tls) : { loaded: false },
    });
  });
}

/** /data/*: a stand-in for Pika's file API, there so the lock gate has something to guard. */
export function data(ctx: ServerCtx, req: Req): Reply {
  const user = requireUser(ctx, req);
  if (isReply(user)) return user;
  return errorReply(new ApiError(404, `file ${req.path.slice('/data/'.length) || '/'}: not found`), req);
}
