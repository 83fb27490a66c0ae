import { useEffect, useRef, useState, type FormEvent } from 'react';
import { submitToken, useAuth } from '../api/auth';

/** Asks for the query API's access token while requests wait for one. */
export function TokenDialog() {
  const { prompt } = useAuth();
  const [token, setToken] = useState('');
  const input = useRef<HTMLInputElement>(null);
  // The field has the focus when the dialog opens and again after a refusal.
  useEffect(() => input.current?.focus(), [prompt]);
  if (!prompt) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) return;
    submitToken(t);
    setToken('');
  };
  return (
    <div className="modal-backdrop">
      <form
        className="token-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="token-dialog-title"
        aria-describedby="token-dialog-message"
        onSubmit={submit}
      >
        <h2 id="token-dialog-title">Sign in to Spoor</h2>
        <p id="token-dialog-message" className="muted">
          {prompt.message}
        </p>
        {prompt.refused ? (
          <p className="errors" role="alert">
            The token was not accepted.
          </p>
        ) : null}
        <label>
          Access token
          <input ref={input} type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={!token.trim() || prompt.checking}>
          Sign in
        </button>
      </form>
    </div>
  );
}
