// @ts-check
/**
 * The pieces of the trainee's check-in page: which session, the list of names, the birth
 * year, the passkey offer. Made for someone holding a smartphone for the first time: one
 * question per screen, big buttons, few words.
 */
import { useEffect, useState } from 'preact/hooks';
import { readBirthYear, searchTrainees } from '../checkin/roster.js';
import { clockTime } from './dates.js';
import { formatDay, t } from './i18n.js';

// Above this many names, a search box saves scrolling past the whole class.
const SEARCH_ABOVE_NAMES = 12;

/** Whether the browser thinks it has a network, kept up to date. */
export function useOnline() {
  const [online, setOnline] = useState(() => globalThis.navigator?.onLine !== false);
  useEffect(() => {
    const update = () => setOnline(globalThis.navigator?.onLine !== false);
    globalThis.addEventListener('online', update);
    globalThis.addEventListener('offline', update);
    return () => {
      globalThis.removeEventListener('online', update);
      globalThis.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

/**
 * "Thứ Hai, 23/11 · 08:00 · Nhà văn hóa …", or nothing when the phone does not know the session.
 * @param {{session?: {date?: string, start_time?: string, place?: string, course_title?: string}}} props
 */
export function SessionLine({ session }) {
  if (!session?.date) return null;
  const parts = [formatDay(session.date), clockTime(session.start_time), session.place].filter(Boolean);
  return (
    <p class="checkin-session">
      {session.course_title ? <strong>{session.course_title}</strong> : null}
      <span>{parts.join(' · ')}</span>
    </p>
  );
}

/**
 * A message and a way out: every check-in screen that cannot go on leads back to the start.
 * @param {{title: string, text?: string, testId: string, children?: any}} props
 */
export function DeadEnd({ title, text, testId, children }) {
  return (
    <section class="screen checkin" data-testid={testId}>
      <h1>{title}</h1>
      {text ? <p class="lead">{text}</p> : null}
      {children}
      <a class="button big primary" href="#/checkin" data-testid="checkin-start">{t('checkin.to_start')}</a>
    </section>
  );
}

/**
 * Pick your name: a big button per trainee, and a search box for a large class.
 * @param {{trainees: import('../checkin/roster.js').RosterTrainee[], onPick: (trainee: import('../checkin/roster.js').RosterTrainee) => void}} props
 */
export function NamePicker({ trainees, onPick }) {
  const [query, setQuery] = useState('');
  const shown = searchTrainees(trainees, query);
  return (
    <div class="name-picker">
      <h2>{t('checkin.pick_name')}</h2>
      {trainees.length > SEARCH_ABOVE_NAMES ? (
        <input type="search" class="search" placeholder={t('checkin.search')} aria-label={t('checkin.search')}
          data-testid="checkin-search" value={query} autocomplete="off" spellcheck={false}
          onInput={(e) => setQuery(/** @type {HTMLInputElement} */ (e.target).value)} />
      ) : null}
      <ul class="checkin-names">
        {shown.map((trainee) => (
          <li key={trainee.id}>
            <button type="button" class="big" data-testid="checkin-name" data-trainee={trainee.id} onClick={() => onPick(trainee)}>
              {trainee.name}
            </button>
          </li>
        ))}
      </ul>
      {shown.length === 0 ? <p class="empty">{t('checkin.no_match')}</p> : null}
    </div>
  );
}

/**
 * Type your birth year, as a light check that the right name was picked.
 * @param {{name: string, wrong: boolean, busy: boolean, onYear: (year: number) => void, onNotMe: () => void}} props
 */
export function BirthYearForm({ name, wrong, busy, onYear, onNotMe }) {
  const [text, setText] = useState('');
  const year = readBirthYear(text, Date.now());
  return (
    <form class="birth-year" onSubmit={(event) => {
      event.preventDefault();
      if (year !== null) onYear(year);
    }}>
      <p class="who" data-testid="checkin-who">{name}</p>
      <label for="birth-year">{t('checkin.birth_year')}</label>
      <input id="birth-year" class="code-input" type="text" inputmode="numeric" pattern="[0-9]*" maxLength={4}
        autocomplete="off" placeholder="1985" value={text} data-testid="birth-year"
        onInput={(e) => setText(/** @type {HTMLInputElement} */ (e.target).value.replace(/[^0-9]/g, ''))} />
      {wrong ? <p class="form-error" role="alert">{t('checkin.birth_year_wrong')}</p> : null}
      <button type="submit" class="primary big" disabled={busy || year === null} data-testid="birth-year-submit">
        {t('checkin.next')}
      </button>
      <button type="button" class="big" onClick={onNotMe} data-testid="not-me">{t('checkin.not_me')}</button>
    </form>
  );
}

/**
 * Offer a passkey: next time the phone's own lock (fingerprint, PIN) proves it is them.
 * @param {{busy: boolean, error: string | null, onCreate: () => void, onSkip: () => void}} props
 */
export function PasskeyOffer({ busy, error, onCreate, onSkip }) {
  return (
    <div class="passkey-offer" data-testid="passkey-offer">
      <h2>{t('checkin.passkey_title')}</h2>
      <p>{t('checkin.passkey_why')}</p>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      <button type="button" class="primary big" disabled={busy} onClick={onCreate} data-testid="create-passkey">
        {busy ? t('common.wait') : t('checkin.passkey_create')}
      </button>
      <button type="button" class="big" disabled={busy} onClick={onSkip} data-testid="skip-passkey">{t('checkin.passkey_skip')}</button>
    </div>
  );
}
