// ImGui's draw data on SDL's software renderer (software_draw.h).
#include "software_draw.h"

#include <imgui.h>

#include <algorithm>
#include <functional>
#include <vector>

namespace ccfield {
namespace {

// How a run of triangles of one draw command goes to SDL.
enum class Kind {
  kTextured,    // as ImGui gives it: the command's texture (glyphs, images)
  kFlat,        // one colour per vertex, no texture, blended
  kOpaqueFlat,  // the same, every vertex opaque: no blending
};

bool Opaque(const ImDrawVert& v) { return (v.col >> IM_COL32_A_SHIFT) == 0xFF; }

// ImGui's rectangle (PrimRect, PrimRectUV): vertices p .. p+3 at (x0,y0)
// (x1,y0) (x1,y1) (x0,y1), indices p, p+1, p+2, p, p+2, p+3, one colour.
const ImDrawVert* RectAt(const ImDrawVert* vtx, int vtx_count, const ImDrawIdx* k) {
  if (k[1] != k[0] + 1 || k[2] != k[0] + 2 || k[3] != k[0] || k[4] != k[0] + 2 || k[5] != k[0] + 3) return nullptr;
  if (k[0] + 3 >= vtx_count) return nullptr;
  const ImDrawVert* v = vtx + k[0];
  if (v[0].pos.y != v[1].pos.y || v[1].pos.x != v[2].pos.x || v[2].pos.y != v[3].pos.y || v[3].pos.x != v[0].pos.x)
    return nullptr;
  for (int n = 1; n < 4; ++n) {
    if (v[n].col != v[0].col) return nullptr;
  }
  return v;
}

}  // namespace

struct SoftwareDraw::Command {
  const ImDrawVert* vtx;  // the command's vertices (VtxOffset applied)
  int vtx_count;
  const ImDrawIdx* idx;  // the command's indices
  SDL_Texture* texture;
  ImVec2 white;  // the font atlas's white texel
  bool font;     // the texture is the font atlas

  bool IsWhite(const ImDrawVert& v) const { return v.uv.x == white.x && v.uv.y == white.y; }

  Kind TriangleKind(unsigned i) const {
    const ImDrawVert& a = vtx[idx[i]];
    const ImDrawVert& b = vtx[idx[i + 1]];
    const ImDrawVert& d = vtx[idx[i + 2]];
    if (!font || !IsWhite(a) || !IsWhite(b) || !IsWhite(d)) return Kind::kTextured;
    return Opaque(a) && Opaque(b) && Opaque(d) ? Kind::kOpaqueFlat : Kind::kFlat;
  }

  // An opaque rectangle of one colour at index i: its corners and colour.
  bool OpaqueRectAt(unsigned i, SDL_FRect* rect, SDL_Color* color) const {
    const ImDrawVert* v = font ? RectAt(vtx, vtx_count, idx + i) : nullptr;
    if (!v || !Opaque(v[0])) return false;
    for (int n = 0; n < 4; ++n) {
      if (!IsWhite(v[n])) return false;
    }
    const float x0 = std::min(v[0].pos.x, v[2].pos.x), y0 = std::min(v[0].pos.y, v[2].pos.y);
    *rect = {x0, y0, std::max(v[0].pos.x, v[2].pos.x) - x0, std::max(v[0].pos.y, v[2].pos.y) - y0};
    *color = {static_cast<Uint8>(v[0].col), static_cast<Uint8>(v[0].col >> 8), static_cast<Uint8>(v[0].col >> 16), 255};
    return true;
  }

  // Draws indices [begin, end) as `kind`.
  void DrawRun(SDL_Renderer* r, Kind kind, unsigned begin, unsigned end) const {
    if (end <= begin) return;
    const int stride = static_cast<int>(sizeof(ImDrawVert));
    SDL_Texture* t = texture;
    if (kind != Kind::kTextured) {
      t = nullptr;  // the white texel times the colour is the colour
      SDL_SetRenderDrawBlendMode(r, kind == Kind::kFlat ? SDL_BLENDMODE_BLEND : SDL_BLENDMODE_NONE);
    }
    SDL_RenderGeometryRaw(r, t, &vtx[0].pos.x, stride, reinterpret_cast<const SDL_Color*>(&vtx[0].col), stride,
                          &vtx[0].uv.x, stride, vtx_count, idx + begin, static_cast<int>(end - begin),
                          sizeof(ImDrawIdx));
  }
};

size_t SoftwareDraw::KeyHash::operator()(const Key& k) const {
  size_t h = std::hash<const void*>()(k.source);
  for (int v : {k.sx, k.sy, k.sw, k.sh, k.w, k.h}) h = h * 1000003u ^ static_cast<size_t>(v);
  return h;
}

SoftwareDraw::~SoftwareDraw() {
  for (auto& [key, copy] : copies_) SDL_DestroyTexture(copy.texture);
}

void SoftwareDraw::Forget(SDL_Texture* texture) {
  for (auto it = copies_.begin(); it != copies_.end();) {
    if (it->first.source != texture) {
      ++it;
      continue;
    }
    SDL_DestroyTexture(it->second.texture);
    bytes_ -= it->second.bytes;
    it = copies_.erase(it);
  }
}

SDL_Texture* SoftwareDraw::ScaledCopy(const Key& key) {
  auto it = copies_.find(key);
  if (it != copies_.end()) {
    it->second.drawn_frame = frame_;
    return it->second.texture;
  }
  Uint32 format = 0;
  if (SDL_QueryTexture(key.source, &format, nullptr, nullptr, nullptr) != 0) return nullptr;
  SDL_Texture* copy = SDL_CreateTexture(renderer_, format, SDL_TEXTUREACCESS_TARGET, key.w, key.h);
  if (!copy) return nullptr;
  SDL_SetTextureBlendMode(copy, SDL_BLENDMODE_NONE);
  // SDL scales the whole source rectangle as it does for a blit that
  // crosses the window's edge; the render target's viewport and clip come
  // back when the window is the target again.
  SDL_Texture* old_target = SDL_GetRenderTarget(renderer_);
  const SDL_Rect src{key.sx, key.sy, key.sw, key.sh};
  if (SDL_SetRenderTarget(renderer_, copy) != 0 || SDL_RenderCopy(renderer_, key.source, &src, nullptr) != 0) {
    SDL_SetRenderTarget(renderer_, old_target);
    SDL_DestroyTexture(copy);
    return nullptr;
  }
  SDL_SetRenderTarget(renderer_, old_target);
  const size_t bytes = static_cast<size_t>(key.w) * static_cast<size_t>(key.h) * 4;
  copies_[key] = {copy, bytes, frame_};
  bytes_ += bytes;
  return copy;
}

bool SoftwareDraw::DrawScaledImage(const Command& c, unsigned i) {
  if (c.font) return false;
  const ImDrawVert* v = RectAt(c.vtx, c.vtx_count, c.idx + i);
  if (!v || v[0].col != IM_COL32_WHITE) return false;
  SDL_BlendMode blend = SDL_BLENDMODE_BLEND;
  int tw = 0, th = 0;
  if (SDL_GetTextureBlendMode(c.texture, &blend) != 0 || blend != SDL_BLENDMODE_NONE ||
      SDL_QueryTexture(c.texture, nullptr, nullptr, &tw, &th) != 0)
    return false;
  // The rectangles SDL's software path takes for this quad: texels and
  // destination truncated to whole numbers, not flipped.
  const ImVec2 p0 = v[0].pos, p1 = v[2].pos, t0 = v[0].uv, t1 = v[2].uv;
  if (p1.x <= p0.x || p1.y <= p0.y || t1.x <= t0.x || t1.y <= t0.y || t0.x < 0 || t0.y < 0 || t1.x > 1 || t1.y > 1)
    return false;
  Key key{c.texture,
          static_cast<int>(t0.x * static_cast<float>(tw)),
          static_cast<int>(t0.y * static_cast<float>(th)),
          0,
          0,
          static_cast<int>(p1.x - p0.x),
          static_cast<int>(p1.y - p0.y)};
  key.sw = static_cast<int>(t1.x * static_cast<float>(tw) - static_cast<float>(key.sx));
  key.sh = static_cast<int>(t1.y * static_cast<float>(th) - static_cast<float>(key.sy));
  if (key.sw <= 0 || key.sh <= 0 || key.w <= 0 || key.h <= 0) return false;
  if (key.sw == key.w && key.sh == key.h) return false;  // unscaled: SDL copies rows already
  SDL_Texture* copy = ScaledCopy(key);
  if (!copy) return false;
  const SDL_Rect dst{static_cast<int>(p0.x), static_cast<int>(p0.y), key.w, key.h};
  SDL_RenderCopy(renderer_, copy, nullptr, &dst);
  return true;
}

void SoftwareDraw::DrawCommand(const Command& c, unsigned elem_count) {
  Kind run_kind = Kind::kTextured;
  unsigned run_begin = 0, i = 0;
  while (i + 3 <= elem_count) {
    SDL_FRect rect;
    SDL_Color color;
    const bool quad = i + 6 <= elem_count;
    if (quad && c.OpaqueRectAt(i, &rect, &color)) {
      c.DrawRun(renderer_, run_kind, run_begin, i);
      SDL_SetRenderDrawBlendMode(renderer_, SDL_BLENDMODE_NONE);
      SDL_SetRenderDrawColor(renderer_, color.r, color.g, color.b, 255);
      SDL_RenderFillRectF(renderer_, &rect);
      run_begin = i += 6;
      continue;
    }
    if (quad && !c.font) {
      c.DrawRun(renderer_, run_kind, run_begin, i);  // what came before stays under it
      run_begin = i;
      if (DrawScaledImage(c, i)) {
        run_begin = i += 6;
        continue;
      }
    }
    const Kind kind = c.TriangleKind(i);
    if (kind != run_kind) {
      c.DrawRun(renderer_, run_kind, run_begin, i);
      run_kind = kind;
      run_begin = i;
    }
    i += 3;
  }
  c.DrawRun(renderer_, run_kind, run_begin, i);
}

void SoftwareDraw::Trim() {
  std::vector<std::pair<uint64_t, Key>> by_age;
  for (auto it = copies_.begin(); it != copies_.end();) {
    if (it->second.drawn_frame + kKeepFrames >= frame_) {
      by_age.emplace_back(it->second.drawn_frame, it->first);
      ++it;
      continue;
    }
    SDL_DestroyTexture(it->second.texture);
    bytes_ -= it->second.bytes;
    it = copies_.erase(it);
  }
  if (bytes_ <= kCapBytes) return;
  std::sort(by_age.begin(), by_age.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [frame, key] : by_age) {
    if (bytes_ <= kCapBytes || frame == frame_) break;  // never what this frame draws
    auto it = copies_.find(key);
    SDL_DestroyTexture(it->second.texture);
    bytes_ -= it->second.bytes;
    copies_.erase(it);
  }
}

bool SoftwareDraw::CoversFrame(const ImDrawData* data) {
  if (!data || data->CmdListsCount == 0 || data->CmdLists[0]->CmdBuffer.Size == 0) return false;
  const ImDrawList* list = data->CmdLists[0];
  const ImDrawCmd& cmd = list->CmdBuffer[0];
  if (cmd.UserCallback || cmd.ElemCount < 6 || cmd.GetTexID() != ImGui::GetIO().Fonts->TexID) return false;
  const Command c{list->VtxBuffer.Data + cmd.VtxOffset,  list->VtxBuffer.Size - static_cast<int>(cmd.VtxOffset),
                  list->IdxBuffer.Data + cmd.IdxOffset,  nullptr,
                  ImGui::GetIO().Fonts->TexUvWhitePixel, true};
  SDL_FRect r;
  SDL_Color color;
  if (!c.OpaqueRectAt(0, &r, &color)) return false;
  const ImVec2 p0 = data->DisplayPos, p1(p0.x + data->DisplaySize.x, p0.y + data->DisplaySize.y);
  const ImVec4& clip = cmd.ClipRect;
  return r.x <= p0.x && r.y <= p0.y && r.x + r.w >= p1.x && r.y + r.h >= p1.y && clip.x <= p0.x && clip.y <= p0.y &&
         clip.z >= p1.x && clip.w >= p1.y && data->FramebufferScale.x == 1.0f && data->FramebufferScale.y == 1.0f;
}

void SoftwareDraw::Draw(ImDrawData* data) {
  ++frame_;
  // The clip rectangles are in ImGui's coordinates: scaled as ImGui's
  // backend does, unless SDL_RenderSetScale already scales everything.
  float rsx = 1.0f, rsy = 1.0f;
  SDL_RenderGetScale(renderer_, &rsx, &rsy);
  const ImVec2 scale(rsx == 1.0f ? data->FramebufferScale.x : 1.0f, rsy == 1.0f ? data->FramebufferScale.y : 1.0f);
  const float fb_w = data->DisplaySize.x * scale.x, fb_h = data->DisplaySize.y * scale.y;
  if (static_cast<int>(fb_w) <= 0 || static_cast<int>(fb_h) <= 0) return;

  SDL_Rect old_viewport, old_clip;
  const bool old_clip_on = SDL_RenderIsClipEnabled(renderer_) == SDL_TRUE;
  SDL_RenderGetViewport(renderer_, &old_viewport);
  SDL_RenderGetClipRect(renderer_, &old_clip);
  SDL_BlendMode old_blend;
  SDL_GetRenderDrawBlendMode(renderer_, &old_blend);
  Uint8 old_r, old_g, old_b, old_a;
  SDL_GetRenderDrawColor(renderer_, &old_r, &old_g, &old_b, &old_a);

  SDL_RenderSetViewport(renderer_, nullptr);
  SDL_RenderSetClipRect(renderer_, nullptr);
  SDL_Texture* font = static_cast<SDL_Texture*>(ImGui::GetIO().Fonts->TexID);
  const ImVec2 white = ImGui::GetIO().Fonts->TexUvWhitePixel;
  const ImVec2 off = data->DisplayPos;
  for (int n = 0; n < data->CmdListsCount; ++n) {
    const ImDrawList* list = data->CmdLists[n];
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback) {
        // ResetRenderState: each command sets its own clip anyway.
        if (cmd.UserCallback != ImDrawCallback_ResetRenderState) cmd.UserCallback(list, &cmd);
        continue;
      }
      const float x0 = std::max(0.0f, (cmd.ClipRect.x - off.x) * scale.x);
      const float y0 = std::max(0.0f, (cmd.ClipRect.y - off.y) * scale.y);
      const float x1 = std::min(fb_w, (cmd.ClipRect.z - off.x) * scale.x);
      const float y1 = std::min(fb_h, (cmd.ClipRect.w - off.y) * scale.y);
      if (x1 <= x0 || y1 <= y0) continue;
      const SDL_Rect clip{static_cast<int>(x0), static_cast<int>(y0), static_cast<int>(x1 - x0),
                          static_cast<int>(y1 - y0)};
      SDL_RenderSetClipRect(renderer_, &clip);
      SDL_Texture* texture = static_cast<SDL_Texture*>(cmd.GetTexID());
      const Command c{list->VtxBuffer.Data + cmd.VtxOffset,
                      list->VtxBuffer.Size - static_cast<int>(cmd.VtxOffset),
                      list->IdxBuffer.Data + cmd.IdxOffset,
                      texture,
                      white,
                      texture == font};
      DrawCommand(c, cmd.ElemCount);
    }
  }
  SDL_RenderSetViewport(renderer_, &old_viewport);
  SDL_RenderSetClipRect(renderer_, old_clip_on ? &old_clip : nullptr);
  SDL_SetRenderDrawBlendMode(renderer_, old_blend);
  SDL_SetRenderDrawColor(renderer_, old_r, old_g, old_b, old_a);
  Trim();
}

}  // namespace ccfield
