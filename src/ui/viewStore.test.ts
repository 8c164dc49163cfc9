import { describe, expect, it } from 'vitest';
import { LECTURE_MODE_KEY, type PreferenceStorage, createViewStore, readLectureMode } from './viewStore';

function memoryStorage(initial: Record<string, string> = {}): PreferenceStorage & { values: Record<string, string> } {
  const values = { ...initial };
  return {
    values,
    getItem: (key) => values[key] ?? null,
    setItem: (key, value) => {
      values[key] = value;
    },
  };
}

const blockedStorage: PreferenceStorage = {
  getItem: () => {
    throw new Error('blocked');
  },
  setItem: () => {
    throw new Error('blocked');
  },
};

describe('view store', () => {
  it('starts lecture mode as remembered', () => {
    expect(createViewStore(memoryStorage({ [LECTURE_MODE_KEY]: '1' })).getState().lectureMode).toBe(true);
    expect(createViewStore(memoryStorage()).getState().lectureMode).toBe(false);
    expect(createViewStore(null).getState().lectureMode).toBe(false);
  });

  it('remembers lecture mode when toggled', () => {
    const storage = memoryStorage();
    const store = createViewStore(storage);
    store.getState().toggleLectureMode();
    expect(store.getState().lectureMode).toBe(true);
    expect(storage.values[LECTURE_MODE_KEY]).toBe('1');
    expect(readLectureMode(storage)).toBe(true);

    store.getState().toggleLectureMode();
    expect(storage.values[LECTURE_MODE_KEY]).toBe('0');
  });

  it('works when storage is blocked', () => {
    const store = createViewStore(blockedStorage);
    expect(store.getState().lectureMode).toBe(false);
    store.getState().toggleLectureMode();
    expect(store.getState().lectureMode).toBe(true);
  });

  it('hides and shows panels', () => {
    const store = createViewStore(null);
    store.getState().togglePanel('charts');
    store.getState().togglePanel('settings');
    expect(store.getState().hiddenPanels).toEqual(['charts', 'settings']);
    store.getState().togglePanel('charts');
    expect(store.getState().hiddenPanels).toEqual(['settings']);
  });
});
