// @ts-check
/**
 * For coordinators (online): the phones of the people in their area, which of them have
 * not synced for days (work may be stuck on them), revoking a lost phone, and a new
 * enrolment code for its owner so they can carry on on another one.
 */
import { useEffect, useState } from 'preact/hooks';
import { getEnrolment } from '../../store/meta.js';
import { formatAgo } from '../dates.js';
import { useServices } from '../hooks.js';
import { errorCode, errorText, language, t } from '../i18n.js';
import { QrCode } from '../qr-code.jsx';

// A trainer back from the hall syncs within a day or two; longer and work may be stuck.
export const STALE_AFTER_MS = 3 * 24 * 3600 * 1000;

/**
 * @typedef {{id: string, label: string | null, app_version: string | null, pending_ops: number | null,
 *   enrolled_at: string | null, last_sync_at: string | null, revoked_at: string | null,
 *   owner: {id: string, name: string, role: string}}} Device
 */

export function DevicesScreen() {
  const services = useServices();
  const [devices, setDevices] = useState(/** @type {Device[] | null} */ (null));
  const [mine, setMine] = useState(/** @type {string | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    setError(null);
    getEnrolment(services.db).then((enrolment) => live && setMine(enrolment?.device_id ?? null));
    withToken(services, (token) => services.transport.listDevices(token))
      .then((answer) => live && setDevices(answer.devices))
      .catch((err) => live && setError(failureText(services, err)));
    return () => {
      live = false;
    };
  }, [reload]);

  const now = Date.now();
  return (
    <section class="screen devices">
      <h1>{t('devices.title')}</h1>
      <p class="lead">{t('devices.intro')}</p>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      <button type="button" class="big" onClick={() => setReload(reload + 1)}>⟳ {t('devices.refresh')}</button>
      {devices === null ? (error ? null : <p class="empty">{t('common.wait')}</p>)
        : devices.length === 0 ? <p class="empty">{t('devices.none')}</p> : (
          <ul class="device-list">
            {devices.map((d) => <DeviceRow key={d.id} device={d} now={now} thisPhone={d.id === mine}
              onRevoked={() => setReload(reload + 1)} />)}
          </ul>
        )}
      <a class="button big" href="#/sync">{t('common.back')}</a>
    </section>
  );
}

/** @param {{device: Device, now: number, thisPhone: boolean, onRevoked: () => void}} props */
function DeviceRow({ device, now, thisPhone, onRevoked }) {
  const services = useServices();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [code, setCode] = useState(/** @type {{code: string, link: string} | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const lastSync = device.last_sync_at ? Date.parse(device.last_sync_at) : null;
  const stale = !device.revoked_at && (lastSync === null || now - lastSync > STALE_AFTER_MS);
  const pending = device.pending_ops ?? 0;

  /** @param {(token: string) => Promise<any>} call @param {(answer: any) => void} done */
  async function run(call, done) {
    setBusy(true);
    setError(null);
    try {
      done(await withToken(services, call));
    } catch (err) {
      setError(failureText(services, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <li class={`device ${stale ? 'stale' : ''} ${device.revoked_at ? 'revoked' : ''}`} data-testid="device"
      data-device={device.id} data-stale={String(stale)} data-revoked={String(Boolean(device.revoked_at))}>
      <strong>{device.owner.name}{thisPhone ? ` · ${t('devices.this_phone')}` : ''}</strong>
      <span title={device.label ?? ''}>{roleName(device.owner.role)}{device.label ? ` · ${phoneKind(device.label)}` : ''}</span>
      <span>{lastSync === null ? t('devices.never_synced') : t('devices.last_sync', { when: formatAgo(lastSync, now, language()) })}
        {stale ? <em class="stale-note"> ⚠ {t('devices.stale')}</em> : null}</span>
      <small>{t('devices.version', { version: device.app_version ?? '—' })} · {t('devices.pending', { count: pending })}</small>
      {device.revoked_at ? <span class="revoked-note">⊘ {t('devices.revoked')}</span>
        // Not this phone: revoking it would wipe the coordinator's own copy (signing out does that, safely).
        : thisPhone ? null : confirming ? (
          <div class="confirm-box" role="alertdialog" aria-label={t('devices.revoke')}>
            <p>{t('devices.revoke_confirm', { name: device.owner.name })}</p>
            {pending > 0 ? <p class="form-error">{t('devices.revoke_loses', { count: pending })}</p> : null}
            <button type="button" class="big danger" disabled={busy} data-testid="confirm-revoke"
              onClick={() => run((token) => services.transport.revokeDevice(token, device.id), onRevoked)}>
              {t('devices.revoke_yes')}</button>
            <button type="button" class="big" onClick={() => setConfirming(false)}>{t('common.cancel')}</button>
          </div>
        ) : <button type="button" class="big danger" onClick={() => setConfirming(true)} data-testid="revoke">⊘ {t('devices.revoke')}</button>}
      {code ? (
        <div class="enrolment-code" data-testid="new-code">
          <p>{t('devices.code_for', { name: device.owner.name })}</p>
          <p class="code-input" data-testid="new-code-text">{code.code}</p>
          <QrCode text={code.link} label={t('devices.code_qr')} testId="new-code-qr" />
          <p class="hint">{code.link}</p>
        </div>
      ) : <button type="button" class="big" disabled={busy} data-testid="new-code-button"
        onClick={() => run((token) => services.transport.newEnrolmentCode(token, device.owner.id), setCode)}>
        ✚ {t('devices.new_code')}</button>}
      {error ? <p class="form-error" role="alert">{error}</p> : null}
    </li>
  );
}

// A device's label is the browser's user agent, far too long to read: its system and browser say enough.
const SYSTEMS = /** @type {const} */ ([['Android', 'Android'], ['iPhone', 'iPhone'], ['iPad', 'iPad'], ['Windows', 'Windows'],
  ['Mac OS', 'Mac'], ['CrOS', 'ChromeOS'], ['Linux', 'Linux']]);
const BROWSERS = /** @type {const} */ ([['Zalo', 'Zalo'], ['Edg/', 'Edge'], ['Firefox', 'Firefox'], ['Chrome', 'Chrome'], ['Safari', 'Safari']]);

/** @param {string} label */
export function phoneKind(label) {
  const system = SYSTEMS.find(([mark]) => label.includes(mark))?.[1];
  const browser = BROWSERS.find(([mark]) => label.includes(mark))?.[1];
  return system || browser ? [system, browser].filter(Boolean).join(' · ') : label.slice(0, 40);
}

/** @param {string} role */
function roleName(role) {
  if (role === 'coordinator') return t('role.coordinator');
  if (role === 'admin') return t('role.admin');
  return role === 'trainer' ? t('role.trainer') : role;
}

/**
 * @template T
 * @param {import('../hooks.js').AppServices} services
 * @param {(token: string) => Promise<T>} call
 */
async function withToken(services, call) {
  const enrolment = await getEnrolment(services.db);
  if (!enrolment) throw Object.assign(new Error('not enrolled'), { code: 'not_enrolled' });
  return call(enrolment.token);
}

/**
 * Say what failed; a coordinator's own phone found revoked is wiped by a sync, as any phone.
 * @param {import('../hooks.js').AppServices} services
 * @param {any} error
 */
function failureText(services, error) {
  if (errorCode(error) === 'device_revoked') services.client.sync();
  return errorText(error);
}
