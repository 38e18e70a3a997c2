// @ts-check
/**
 * The trainer's check-in code: a QR code trainees scan with their phone's camera to
 * confirm "I attended this session". It is made on this phone with no signal, from the
 * session's secret (pulled at the last sync) and the time, and changes every three minutes,
 * so a photo of it sent to a friend at home stops working. The time is this phone's clock
 * corrected by what the server's clock said at the last sync.
 *
 * Below it: scanning a trainee's confirmation brought as a QR code (see relay-scan.jsx).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { getClockOffset } from '../../store/clock.js';
import { getRecord, listGroup } from '../../store/queries.js';
import { checkinCode, checkinUrl } from '../../client/checkin-code.js';
import { windowBounds, windowOf } from '../../sync/checkin.js';
import { countConfirmed } from '../confirmation-badge.jsx';
import { useQuery, useServices } from '../hooks.js';
import { t } from '../i18n.js';
import { QrCode } from '../qr-code.jsx';
import { RelayScan } from '../relay-scan.jsx';
import { enrolledTrainees } from '../roster-data.js';

const TICK_MS = 1000;

/** @param {import('../../store/db.js').Db} db @param {string} sessionId */
async function loadCheckin(db, sessionId) {
  const session = await getRecord(db, 'session', sessionId);
  if (!session) return null;
  const course = await getRecord(db, 'course', session.fields.course_id);
  const trainees = await enrolledTrainees(db, session.fields.course_id);
  const confirmed = countConfirmed(await listGroup(db, 'confirmation', sessionId));
  return { session, course, trainees: trainees.length, confirmed, offsetMs: await getClockOffset(db) };
}

/** @param {{sessionId: string}} props */
export function CheckinScreen({ sessionId }) {
  const data = useQuery((db) => loadCheckin(db, sessionId), [sessionId]);
  if (data === undefined) return null;
  if (data === null) return <p class="empty">{t('common.not_found')}</p>;
  const secret = data.session.fields.checkin_secret;
  return (
    <section class="screen checkin-qr">
      <h1>{data.course?.fields.title}</h1>
      {typeof secret === 'string' && secret ? <RotatingCode secret={secret} sessionId={sessionId} offsetMs={data.offsetMs} />
        : <NoSecretYet />}
      <p class="confirmed-count" data-testid="confirmed-count" data-count={data.confirmed}>
        {t('checkin_code.confirmed', { count: data.confirmed, total: data.trainees })}
      </p>
      <RelayScan sessionId={sessionId} />
      <a class="button big" href={`#/session/${sessionId}`} data-testid="back-to-roster">← {t('checkin_code.back')}</a>
    </section>
  );
}

/** @param {{secret: string, sessionId: string, offsetMs: number}} props */
function RotatingCode({ secret, sessionId, offsetMs }) {
  const now = useCorrectedNow(offsetMs);
  const window = windowOf(now);
  const [token, setToken] = useState(/** @type {{window: number, text: string} | null} */ (null));
  useEffect(() => {
    let live = true;
    checkinCode(secret, sessionId, now - offsetMs, offsetMs).then((made) => live && setToken({ window: made.window, text: made.token }));
    return () => {
      live = false;
    };
  }, [secret, sessionId, window]);
  useKeepScreenOn();
  // The same element while the token stands: the countdown ticks every second, the code need not be drawn again.
  const code = useMemo(() => (token ? <QrCode text={checkinUrl(location.origin, token.text)} label={t('checkin_code.qr_label')}
    testId="checkin-qr" /> : null), [token?.text]);
  const left = Math.max(0, Math.ceil((windowBounds(window)[1] - now) / 1000));
  const countdown = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  return (
    <div class="checkin-code" data-testid="checkin-code" data-window={token?.window ?? ''}>
      <p class="lead">{t('checkin_code.intro')}</p>
      {code}
      <p class="countdown" data-testid="checkin-countdown" aria-live="off">{t('checkin_code.changes_in', { time: countdown })}</p>
    </div>
  );
}

function NoSecretYet() {
  const { client } = useServices();
  return (
    <div class="notice" data-testid="checkin-no-secret">
      <p>{t('checkin_code.no_secret')}</p>
      <button type="button" class="primary big" onClick={() => client.sync()}>⟳ {t('sync.now')}</button>
    </div>
  );
}

/**
 * The phone's clock corrected by the server's, once a second, so the code changes with the
 * window and the countdown moves.
 * @param {number} offsetMs
 */
function useCorrectedNow(offsetMs) {
  const [now, setNow] = useState(() => Date.now() + offsetMs);
  useEffect(() => {
    setNow(Date.now() + offsetMs);
    const timer = setInterval(() => setNow(Date.now() + offsetMs), TICK_MS);
    return () => clearInterval(timer);
  }, [offsetMs]);
  return now;
}

/**
 * Ask the phone not to dim its screen while the code is shown (trainees come up one by
 * one over many minutes). Where the browser cannot, the trainer taps the screen now and then.
 */
function useKeepScreenOn() {
  useEffect(() => {
    /** @type {any} */
    let lock = null;
    let live = true;
    const request = () => /** @type {any} */ (navigator).wakeLock?.request('screen')
      .then((/** @type {any} */ got) => (live ? (lock = got) : got.release()))
      .catch(() => {});
    // The lock is dropped when the page is hidden; take it again when it comes back.
    const onVisible = () => document.visibilityState === 'visible' && request();
    request();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      live = false;
      document.removeEventListener('visibilitychange', onVisible);
      lock?.release().catch(() => {});
    };
  }, []);
}
