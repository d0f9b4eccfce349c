#pragma once
// Fonts from Debian packages (DejaVu Sans, Noto Sans Ethiopic), loaded only
// for the scripts needed: the UI language's, plus any script that shows up in
// displayed text (the atlas is rebuilt between frames when a new one appears).
#include <string>
#include <string_view>

namespace ccfield::views {

// Records the scripts of text about to be displayed (cheap for ASCII).
void NoteScripts(std::string_view text);
// Scripts the atlas should cover now: the language's plus those seen.
unsigned WantedScripts(const std::string& language);

// Rebuilds ImGui's font atlas for `scripts` at `size_px`. When no font file is
// found it uses ImGui's built-in font and says which packages to install.
// The renderer's font texture must be re-uploaded afterwards.
bool BuildFonts(unsigned scripts, float size_px, std::string* error);

// The size factor BuildFonts gives the face in font file `path` merged over
// the Latin face `latin_path`: Arabic is scaled so its alef is as tall as the
// Latin capitals (read from the fonts' own metrics), Ethiopic by 1.45, others 1.
float MergedFontFactor(const std::string& latin_path, const std::string& path);

}  // namespace ccfield::views
