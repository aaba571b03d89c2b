// PostCSS for Tailwind CSS 4: the whole Tailwind pipeline is one plugin.
export default {
  plugins: {
    '@tailwindcss/postcss': {},
  },
};
