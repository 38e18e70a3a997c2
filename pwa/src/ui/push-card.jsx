// @ts-check
/**
 * On the sync screen: turn notifications on or off for this phone. Coordinators hear of
 * new data and conflicts in their area; trainers of changes to their courses, and their
 * phone then syncs by itself.
 */
import { useEffect, useState } from 'preact/hooks';
import { pushState, topicsFor, turnOffPush, turnOnPush } from '../client/push.js';
import { getEnrolment } from '../store/meta.js';
import { createPushTransport } from '../transport/push-http.js';
import { useServices } from './hooks.js';
import { errorText, t } from './i18n.js';
import { useOnline } from './sync-bar.jsx';

/** @type {import('../transport/push-http.js').PushTransport | null} */
let transport = null;

async function browserParts() {
  const registration = 'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration() : undefined;
  const notifications = typeof Notification === 'undefined' ? null : Notification;
  return { registration: registration ?? null, notifications };
}

export function PushCard() {
  const services = useServices();
  const online = useOnline();
  const [role, setRole] = useState(/** @type {string | null} */ (null));
  const [state, setState] = useState(/** @type {import('../client/push.js').PushState | null} */ (null));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(/** @type {string | null} */ (null));

  useEffect(() => {
    let live = true;
    (async () => {
      const enrolment = await getEnrolment(services.db);
      const now = await pushState(await browserParts());
      if (live) {
        setRole(enrolment?.user.role ?? null);
        setState(now);
      }
    })().catch(() => live && setState('unsupported'));
    return () => {
      live = false;
    };
  }, [services.db]);

  const topics = role ? topicsFor(role) : [];
  if (!online || state === null || topics.length === 0) return null;

  /** @param {boolean} on */
  async function change(on) {
    setBusy(true);
    setFailure(null);
    transport ??= createPushTransport();
    try {
      const parts = await browserParts();
      setState(on ? await turnOnPush(services.db, transport, parts) : await turnOffPush(services.db, transport, parts));
    } catch (error) {
      setFailure(errorText(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="card push-card" data-testid="push-card" data-state={state}>
      <h2>🔔 {t('push.title')}</h2>
      <p class="hint">{t('push.intro')}</p>
      <ul class="hint">
        {topics.includes('new_data') ? <li>{t('push.new_data')}</li> : null}
        {topics.includes('conflicts') ? <li>{t('push.conflicts')}</li> : null}
        {topics.includes('roster_changed') ? <li>{t('push.roster_changed')}</li> : null}
      </ul>
      {topics.includes('roster_changed') ? <p class="hint">{t('push.roster_hint')}</p> : null}
      {state === 'unsupported' ? <p class="notice">{t('push.unsupported')}</p> : null}
      {state === 'denied' ? <p class="notice" role="alert">{t('push.denied')}</p> : null}
      {state === 'on' || state === 'off' ? (
        <>
          <p class="notice" role="status" data-testid="push-state">{state === 'on' ? t('push.on') : t('push.off')}</p>
          <button type="button" class={state === 'on' ? 'big' : 'primary big'} disabled={busy}
            onClick={() => change(state !== 'on')} data-testid="toggle-push">
            {busy ? t('common.wait') : state === 'on' ? t('push.turn_off') : t('push.turn_on')}
          </button>
        </>
      ) : null}
      {failure ? <p class="form-error" role="alert">{failure}</p> : null}
    </div>
  );
}
