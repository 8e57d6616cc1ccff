/** A few documents the demo starts with (written for this demo; no third-party text). */
export const samples = [
  { id: 'seasons', title: 'Why Earth has seasons', text: "The tilt of Earth's rotational axis relative to its orbital plane means each hemisphere leans toward the Sun for part of the year and away from it for the rest." },
  { id: 'tides', title: 'Tides', text: 'The gravitational pull of the Moon and, to a lesser degree, the Sun raises two bulges in the oceans, and coastlines see the water rise and fall twice a day.' },
  { id: 'photosynthesis', title: 'Photosynthesis', text: 'Plants capture light with chlorophyll and use its energy to turn carbon dioxide and water into glucose, releasing oxygen.' },
  { id: 'vaccines', title: 'How vaccines work', text: 'A vaccine trains the immune system with a harmless piece or copy of a pathogen, so antibodies and memory cells are ready before a real infection.' },
  { id: 'roaring', title: 'Roaring bitmaps', text: 'Roaring bitmaps store sets of 32-bit integers in chunks, choosing arrays, bitsets or runs per chunk, which keeps set operations fast and compact.' },
  { id: 'wasm', title: 'WebAssembly', text: 'WebAssembly is a portable binary instruction format; browsers compile it ahead of time and run it at near-native speed next to JavaScript.' },
];
