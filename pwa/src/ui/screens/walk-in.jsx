// @ts-check
/** A walk-in trainee: the few facts the programme reports on, then enrolled and marked present. */
import { useRef, useState } from 'preact/hooks';
import { getRecord } from '../../store/queries.js';
import { addWalkIn } from '../actions.js';
import { showSaveError } from '../error-banner.jsx';
import { useQuery, useServices } from '../hooks.js';
import { t } from '../i18n.js';

const GENDERS = ['female', 'male', 'other'];
// The peoples most trainees in these communes belong to; anything else can be typed.
const ETHNICITIES = ['Hmông', 'Thái', 'Dao', 'Tày', 'Ba Na', 'Kinh', 'Nùng', 'Mường'];
const THIS_YEAR = new Date().getFullYear();

/** @param {{sessionId: string}} props */
export function WalkInScreen({ sessionId }) {
  const services = useServices();
  const found = useQuery(async (db) => {
    const session = await getRecord(db, 'session', sessionId);
    const course = session && await getRecord(db, 'course', session.fields.course_id);
    return session && course ? { session, course } : null;
  }, [sessionId]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(/** @type {string | null} */ (null));
  // A second tap can land before the first one's re-render disables the button: a ref is
  // set at once, so a double tap cannot create the trainee twice.
  const saving = useRef(false);
  if (found === undefined) return null;
  if (found === null) return <p class="empty">{t('common.not_found')}</p>;

  /** @param {Event} event */
  async function submit(event) {
    event.preventDefault();
    if (saving.current) return;
    const form = new FormData(/** @type {HTMLFormElement} */ (event.target));
    const text = (/** @type {string} */ name) => String(form.get(name) ?? '').trim();
    // `required` lets a name of only spaces through.
    if (!text('full_name')) return setProblem(t('walk_in.name_missing'));
    if (form.get('consent') !== 'on') return setProblem(t('walk_in.consent_missing'));
    setProblem(null);
    const person = {
      full_name: text('full_name'),
      ...(text('gender') ? { gender: text('gender') } : {}),
      ...(text('birth_year') ? { birth_year: Number(text('birth_year')) } : {}),
      ...(text('ethnicity') ? { ethnicity: text('ethnicity') } : {}),
      ...(text('village') ? { village: text('village') } : {}),
      ...(text('phone') ? { phone: text('phone') } : {}),
      consent: true,
    };
    saving.current = true;
    setBusy(true);
    try {
      await addWalkIn(services, /** @type {any} */ (found).session, /** @type {any} */ (found).course.fields.commune_id, person);
      // Still "saving" until the roster replaces this screen, so a late tap adds no one.
      location.hash = `#/session/${sessionId}`;
    } catch (error) {
      saving.current = false;
      setBusy(false);
      showSaveError(error);
    }
  }

  return (
    <section class="screen walk-in">
      <h1>{t('walk_in.title')}</h1>
      <form onSubmit={submit}>
        <label for="full_name">{t('trainee.full_name')}</label>
        <input id="full_name" name="full_name" required maxLength={120} autocomplete="off" />
        <fieldset class="choices">
          <legend>{t('trainee.gender')}</legend>
          {GENDERS.map((g) => (
            <label key={g} class="choice"><input type="radio" name="gender" value={g} /> {t(`gender.${g}`)}</label>
          ))}
        </fieldset>
        <label for="birth_year">{t('trainee.birth_year')}</label>
        <input id="birth_year" name="birth_year" type="number" inputMode="numeric" min={THIS_YEAR - 100} max={THIS_YEAR} />
        <label for="ethnicity">{t('trainee.ethnicity')}</label>
        <input id="ethnicity" name="ethnicity" list="ethnicities" maxLength={60} />
        <datalist id="ethnicities">{ETHNICITIES.map((e) => <option key={e} value={e} />)}</datalist>
        <label for="village">{t('trainee.village')}</label>
        <input id="village" name="village" maxLength={120} />
        <label for="phone">{t('trainee.phone')}</label>
        <input id="phone" name="phone" type="tel" inputMode="tel" maxLength={20} />
        <label class="choice consent"><input type="checkbox" name="consent" /> {t('trainee.consent')}</label>
        <p class="hint">{t('walk_in.consent_why')}</p>
        {problem ? <p class="form-error" role="alert">{problem}</p> : null}
        <button type="submit" class="primary big" disabled={busy}>{t('walk_in.save')}</button>
        <a class="button big" href={`#/session/${sessionId}`}>{t('common.cancel')}</a>
      </form>
    </section>
  );
}
