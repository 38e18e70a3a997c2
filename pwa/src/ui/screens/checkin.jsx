// @ts-check
/**
 * The trainee's check-in page, opened by scanning the trainer's QR code (#/checkin/TOKEN).
 * Works on a phone that is not enrolled and has no signal: the names come from the copy
 * cached at an earlier visit, and a confirmation with no signal is kept on the phone and
 * shown as a QR code the trainer's phone carries to the server.
 *
 *   code ─▶ names ─▶ birth year ─▶ [passkey offer, online] ─▶ confirm ─▶ saved ─▶ sent
 *                                                                         └▶ waiting + relay QR
 */
import { useEffect, useState } from 'preact/hooks';
import { confirmationTime, isExpired, passkeyProof, plainProof } from '../../checkin/confirm.js';
import { createTraineePasskey, signConfirmation } from '../../checkin/passkey.js';
import { birthYearMatches, loadRoster } from '../../checkin/roster.js';
import { confirmationFor, getMe, keepConfirmation, passkeyFor, rememberMe, rememberPasskey } from '../../checkin/trainee-store.js';
import { sendPending } from '../../checkin/trainee-sync.js';
import { parseCheckinToken } from '../../sync/checkin.js';
import { checkinTransport } from '../../transport/checkin-http.js';
import { BirthYearForm, DeadEnd, NamePicker, PasskeyOffer, SessionLine, useOnline } from '../checkin-parts.jsx';
import { CheckinStatus } from '../checkin-status.jsx';
import { useQuery, useServices } from '../hooks.js';
import { errorText, t } from '../i18n.js';
import { CheckinHome } from './checkin-home.jsx';

/**
 * #/checkin/TOKEN opens the flow, #/checkin the trainee's start page. Either way, whatever
 * waits on the phone is sent first if there is signal.
 * @param {{tokenText?: string}} props
 */
export function CheckinRoute({ tokenText }) {
  const { db, changed } = useServices();
  useEffect(() => {
    if (globalThis.navigator?.onLine === false) return;
    sendPending(db, checkinTransport()).then((result) => {
      if (result.sent || result.rejected) changed();
    }).catch((error) => console.error(error));
  }, [tokenText]);
  if (!tokenText) return <CheckinHome />;
  const text = readable(tokenText);
  const token = parseCheckinToken(text);
  if (!token) return <DeadEnd testId="checkin-bad-code" title={t('checkin.bad_code')} text={t('checkin.bad_code_hint')} />;
  return <CheckinScreen key={text} tokenText={text} token={token} />;
}

/**
 * The code as the QR link carried it; a camera app may have %-escaped it, or mangled it.
 * @param {string} fromLink
 */
function readable(fromLink) {
  try {
    return decodeURIComponent(fromLink);
  } catch {
    return fromLink;
  }
}

/**
 * @param {{tokenText: string, token: import('../../sync/checkin.js').CheckinToken}} props
 */
function CheckinScreen({ tokenText, token }) {
  const { db, changed } = useServices();
  const online = useOnline();
  const transport = checkinTransport();
  const [result, setResult] = useState(/** @type {import('../../checkin/roster.js').RosterResult | undefined} */ (undefined));
  const [notMe, setNotMe] = useState(false);
  const [picked, setPicked] = useState(/** @type {import('../../checkin/roster.js').RosterTrainee | null} */ (null));
  const [who, setWho] = useState(/** @type {{id: string, name: string, birthYear: number | null} | null} */ (null));
  const [wrongYear, setWrongYear] = useState(false);
  const [passkeyStep, setPasskeyStep] = useState(/** @type {'offer' | 'skipped' | 'failed-sign'} */ ('offer'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [sending, setSending] = useState(false);
  const [expired, setExpired] = useState(() => isExpired(token, Date.now()));

  const me = useQuery((store) => getMe(store).then((m) => m ?? null), []);
  const traineeId = who?.id ?? (notMe ? null : me?.trainee_id ?? null);
  const existing = useQuery((store) => (traineeId ? confirmationFor(store, token.sessionId, traineeId) : Promise.resolve(undefined))
    .then((e) => e ?? null), [traineeId]);
  const credential = useQuery((store) => (who ? passkeyFor(store, who.id) : Promise.resolve(undefined)).then((c) => c ?? null), [who?.id]);

  const meKnown = me !== undefined;
  useEffect(() => {
    if (!meKnown) return undefined;
    let live = true;
    loadRoster(db, transport, tokenText, token.sessionId, { online: globalThis.navigator?.onLine !== false, nowMs: Date.now(),
      meId: me?.trainee_id ?? null })
      .then((loaded) => live && setResult(loaded))
      .catch((err) => live && setResult({ roster: null, fromCache: true, error: err }));
    return () => {
      live = false;
    };
  }, [tokenText, meKnown]);

  const forgetMe = async () => {
    await rememberMe(db, null);
    setNotMe(true);
    setPicked(null);
    setWho(null);
    setWrongYear(false);
    changed();
  };

  if (me === undefined || existing === undefined) return null;
  if (existing) return <CheckinStatus entry={existing} sending={sending} onNotMe={who ? undefined : forgetMe} />;
  if (expired) return <DeadEnd testId="checkin-expired" title={t('checkin.expired')} text={t('checkin.expired_hint')} />;
  if (result === undefined) return <section class="screen checkin"><p class="notice">{t('checkin.loading')}</p></section>;
  const { roster } = result;
  // The server no longer takes this code (by its clock) and the phone has no names to offer.
  if (!roster && result.error?.code === 'checkin_token_expired') {
    return <DeadEnd testId="checkin-expired" title={t('checkin.expired')} text={t('checkin.expired_hint')} />;
  }
  if (!roster) {
    return (
      <DeadEnd testId="checkin-no-roster" title={t('checkin.no_roster')} text={t('checkin.no_roster_hint')}>
        {result.error ? <p class="form-error">{errorText(result.error)}</p> : null}
      </DeadEnd>
    );
  }
  const session = roster.sessions[token.sessionId] ?? {};
  const remembered = notMe ? undefined : roster.trainees.find((trainee) => trainee.id === me?.trainee_id);
  const candidate = picked ?? remembered ?? null;

  /** @param {number} year */
  async function checkYear(year) {
    if (!candidate) return;
    setBusy(true);
    const ok = await birthYearMatches(candidate, year);
    setBusy(false);
    setWrongYear(!ok);
    if (!ok) return;
    await rememberMe(db, { trainee_id: candidate.id, name: candidate.name });
    setWho({ id: candidate.id, name: candidate.name, birthYear: year });
    changed();
  }

  async function createPasskey() {
    if (!who) return;
    setBusy(true);
    setError(null);
    try {
      const credentialId = await createTraineePasskey(transport, { tokenText, traineeId: who.id, birthYear: who.birthYear });
      await rememberPasskey(db, who.id, credentialId);
      changed();
    } catch (/** @type {any} */ err) {
      setError(t('checkin.passkey_failed', { reason: errorText(err) }));
    } finally {
      setBusy(false);
    }
  }

  /** @param {boolean} usePasskey */
  async function confirm(usePasskey) {
    if (!who) return;
    if (isExpired(token, Date.now())) {
      setExpired(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const confirmedAt = confirmationTime(token, Date.now());
      let method = /** @type {'passkey' | 'unverified'} */ ('unverified');
      let proof = plainProof(tokenText, confirmedAt);
      if (usePasskey && credential) {
        try {
          const assertion = await signConfirmation({ tokenText, sessionId: token.sessionId, traineeId: who.id, confirmedAt, credentialId: credential });
          proof = passkeyProof(tokenText, confirmedAt, assertion);
          method = 'passkey';
        } catch (err) {
          // Cancelled, timed out, or the passkey is gone: say so and offer the plain way.
          console.warn(err);
          setPasskeyStep('failed-sign');
          return;
        }
      }
      await keepConfirmation(db, { tokenText, token, traineeId: who.id, traineeName: who.name, method, proof, session }, Date.now());
      // Ask the browser to keep the data: the confirmation may wait days for signal.
      navigator.storage?.persist?.().catch(() => {});
      const willSend = globalThis.navigator?.onLine !== false;
      // "Sending…" first, so the saved confirmation does not flash its relay code meanwhile.
      setSending(willSend);
      changed();
      if (willSend) {
        await sendPending(db, transport);
        setSending(false);
        changed();
      }
    } catch (/** @type {any} */ err) {
      setSending(false);
      setError(t('checkin.not_saved', { reason: errorText(err) }));
    } finally {
      setBusy(false);
    }
  }

  let body;
  if (!who && !candidate) body = <NamePicker trainees={roster.trainees} onPick={(trainee) => { setPicked(trainee); setWrongYear(false); }} />;
  else if (!who && candidate) body = <BirthYearForm key={candidate.id} name={candidate.name} wrong={wrongYear} busy={busy} onYear={checkYear} onNotMe={forgetMe} />;
  else if (who && credential === undefined) body = null;
  else if (who && !credential && online && passkeyStep === 'offer') {
    body = <PasskeyOffer busy={busy} error={error} onCreate={createPasskey} onSkip={() => { setPasskeyStep('skipped'); setError(null); }} />;
  } else if (who) {
    body = <ConfirmStep name={who.name} busy={busy} error={error} signFailed={passkeyStep === 'failed-sign'}
      hasPasskey={Boolean(credential)} onConfirm={confirm} />;
  }
  return (
    <section class="screen checkin" data-testid="checkin">
      <h1>{t('checkin.title')}</h1>
      <SessionLine session={session} />
      {result.fromCache ? <p class="hint" data-testid="checkin-offline">{t('checkin.from_cache')}</p> : null}
      {body}
    </section>
  );
}

/**
 * The one big button. After a cancelled passkey prompt: try again, or confirm without it.
 * @param {{name: string, busy: boolean, error: string | null, signFailed: boolean, hasPasskey: boolean,
 *   onConfirm: (usePasskey: boolean) => void}} props
 */
function ConfirmStep({ name, busy, error, signFailed, hasPasskey, onConfirm }) {
  return (
    <div class="confirm-step">
      <p class="who" data-testid="checkin-who">{name}</p>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      {signFailed ? <p class="notice" role="alert">{t('checkin.passkey_cancelled')}</p> : null}
      <button type="button" class="primary big huge" disabled={busy} onClick={() => onConfirm(true)} data-testid="confirm-attendance">
        {busy ? t('common.wait') : `✓ ${t('checkin.confirm')}`}
      </button>
      {hasPasskey && signFailed ? (
        <button type="button" class="big" disabled={busy} onClick={() => onConfirm(false)} data-testid="confirm-without-passkey">
          {t('checkin.confirm_without_passkey')}
        </button>
      ) : null}
    </div>
  );
}
