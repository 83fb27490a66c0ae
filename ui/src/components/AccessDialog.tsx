import { useEffect, useRef, useState, type FormEvent } from 'react';
import { submitTenant, submitToken, useAuth, type Prompt, type PromptKind } from '../api/auth';

const TEXTS: Record<
  PromptKind,
  { title: string; label: string; button: string; refused: string; secret: boolean; submit: (v: string) => void }
> = {
  token: {
    title: 'Sign in to Spoor',
    label: 'Access token',
    button: 'Sign in',
    refused: 'The token was not accepted.',
    secret: true,
    submit: submitToken,
  },
  tenant: {
    title: 'Choose a tenant',
    label: 'Tenant',
    button: 'Open',
    refused: 'The tenant was not accepted.',
    secret: false,
    submit: submitTenant,
  },
};

/** A value can go in an HTTP header: printable ASCII without spaces. */
const sendable = (v: string) => /^[\x21-\x7e]+$/.test(v);

/** Asks for the query API's access token or tenant while requests wait for one. */
export function AccessDialog() {
  const { prompt } = useAuth();
  // A fresh field for each kind of question.
  return prompt ? <Ask key={prompt.kind} prompt={prompt} /> : null;
}

function Ask({ prompt }: { prompt: Prompt }) {
  const texts = TEXTS[prompt.kind];
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  // The field has the focus when the dialog opens and again after a refusal.
  useEffect(() => input.current?.focus(), [prompt]);
  const typed = value.trim();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!sendable(typed)) return;
    texts.submit(typed);
    setValue('');
  };
  return (
    <div className="modal-backdrop">
      <form
        className="access-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="access-dialog-title"
        aria-describedby="access-dialog-message"
        onSubmit={submit}
      >
        <h2 id="access-dialog-title">{texts.title}</h2>
        <p id="access-dialog-message" className="muted">
          {prompt.message}
        </p>
        {prompt.refused ? (
          <p className="errors" role="alert">
            {texts.refused}
          </p>
        ) : null}
        <label>
          {texts.label}
          <input
            ref={input}
            type={texts.secret ? 'password' : 'text'}
            autoComplete="off"
            spellCheck={false}
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        </label>
        {typed && !sendable(typed) ? <p className="muted">Printable ASCII characters only, without spaces.</p> : null}
        <button type="submit" className="primary" disabled={!sendable(typed) || prompt.checking}>
          {texts.button}
        </button>
      </form>
    </div>
  );
}
