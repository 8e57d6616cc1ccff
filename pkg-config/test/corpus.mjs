// A small corpus written for the tests, with queries that share no keyword with their answer
// (found by the model's meaning, not by BM25).
export const docs = [
  { id: 'seasons', title: 'Why Earth has seasons', text: "The tilt of Earth's rotational axis relative to its orbital plane means each hemisphere leans toward the Sun for part of the year and away from it for the rest.", tags: ['earth'] },
  { id: 'tides', title: 'Tides', text: 'The gravitational pull of the Moon and, to a lesser degree, the Sun raises two bulges in the oceans, and coastlines see the water rise and fall twice a day.', tags: ['earth', 'ocean'] },
  { id: 'photosynthesis', title: 'Photosynthesis', text: 'Plants capture light with chlorophyll and use its energy to turn carbon dioxide and water into glucose, releasing oxygen.', tags: ['biology'], fields: { kingdom: 'plantae' } },
  { id: 'vaccines', title: 'How vaccines work', text: 'A vaccine trains the immune system with a harmless piece or copy of a pathogen, so antibodies and memory cells are ready before a real infection.', tags: ['biology', 'medicine'] },
  { id: 'roaring', title: 'Roaring bitmaps', text: 'Roaring bitmaps store sets of 32-bit integers in chunks, choosing arrays, bitsets or runs per chunk, which keeps set operations fast and compact.', tags: ['cs'] },
  { id: 'wasm', title: 'WebAssembly', text: 'WebAssembly is a portable binary instruction format; browsers compile it ahead of time and run it at near-native speed next to JavaScript.', tags: ['cs'] },
];

/** query -> the doc that must rank first, sharing no keyword with it. */
export const semanticOnly = [
  ['shots that prevent illness', 'vaccines'],
  ['leaves make food', 'photosynthesis'],
];
