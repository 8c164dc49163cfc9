/**
 * The keyboard shortcut help: a modal dialog that keeps the focus inside it, closes on Escape
 * and gives the focus back to the element that had it.
 */
import { type KeyboardEvent, useEffect, useRef } from 'react';
import { SHORTCUTS } from './shortcuts';
import { useView, viewStore } from './viewStore';

const FOCUSABLE = 'button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Moves the focus from the last focusable element to the first and back, so Tab never leaves the dialog. */
function trapTab(event: KeyboardEvent<HTMLDialogElement>): void {
  if (event.key !== 'Tab') return;
  const focusable = Array.from(event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE));
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (first === undefined || last === undefined) return;

  const active = document.activeElement;
  if (event.shiftKey && (active === first || !event.currentTarget.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !event.currentTarget.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}

function ShortcutTable() {
  return (
    <table className="shortcut-table">
      <caption className="sr-only">Keyboard shortcuts</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Action</th>
        </tr>
      </thead>
      <tbody>
        {SHORTCUTS.map((shortcut) => (
          <tr key={shortcut.action}>
            <td>
              {shortcut.keys.map((key) => (
                <kbd key={key}>{key}</kbd>
              ))}
            </td>
            <td>{shortcut.description}</td>
          </tr>
        ))}
        <tr>
          <td>
            <kbd>Esc</kbd>
          </td>
          <td>Close this help, or a full-screen panel</td>
        </tr>
      </tbody>
    </table>
  );
}

/** Renders the shortcut help while the view store's `helpOpen` is set. */
export function ShortcutHelp() {
  const open = useView((state) => state.helpOpen);
  const dialog = useRef<HTMLDialogElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const element = dialog.current;
    if (!open || element === null) return undefined;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    element.showModal();
    // The Close button sits at the bottom: focusing it must not scroll the title out of view.
    closeButton.current?.focus({ preventScroll: true });
    element.scrollTop = 0;
    return () => {
      element.close();
      // The page itself had the focus, or the element that had it is gone: leave no control focused.
      if (previous !== null && previous !== document.body && previous.isConnected) previous.focus();
      else if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    };
  }, [open]);

  const close = () => viewStore.getState().setHelpOpen(false);
  return (
    <dialog
      ref={dialog}
      className="shortcut-help"
      aria-labelledby="shortcut-help-title"
      data-testid="shortcut-help"
      onKeyDown={trapTab}
      onCancel={(event) => {
        // Escape: close through the store, so that the focus goes back where it was.
        event.preventDefault();
        close();
      }}
    >
      <h2 id="shortcut-help-title">Keyboard shortcuts</h2>
      <p>Shortcuts work anywhere on the page except while you type in a field. Tab moves between controls; Enter or Space presses them.</p>
      <ShortcutTable />
      <p>
        In the message inspector, the arrow keys, Page Up, Page Down, Home and End also move through the games while the inspector has the
        focus.
      </p>
      <button type="button" ref={closeButton} data-testid="shortcut-help-close" onClick={close}>
        Close
      </button>
    </dialog>
  );
}
