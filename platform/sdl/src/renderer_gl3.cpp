// The OpenGL 3 path: a GL 3.0 context (GLSL 130, the version ImGui's example
// uses on Linux) with ImGui's OpenGL3 backend, which loads libGL.so.1 itself.
// Our own few GL calls go through SDL_GL_GetProcAddress, so nothing links GL.
#include <SDL_opengl.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>
#include <imgui_impl_sdl.h>

#include "renderer.h"

namespace ccfield {
namespace {

// The GL 1.x entry points we call, resolved at run time.
struct GlFunctions {
  decltype(&glGetString) GetString = nullptr;
  decltype(&glGetError) GetError = nullptr;
  decltype(&glViewport) Viewport = nullptr;
  decltype(&glClearColor) ClearColor = nullptr;
  decltype(&glClear) Clear = nullptr;
  decltype(&glPixelStorei) PixelStorei = nullptr;
  decltype(&glReadBuffer) ReadBuffer = nullptr;
  decltype(&glReadPixels) ReadPixels = nullptr;
  decltype(&glGenTextures) GenTextures = nullptr;
  decltype(&glDeleteTextures) DeleteTextures = nullptr;
  decltype(&glBindTexture) BindTexture = nullptr;
  decltype(&glTexParameteri) TexParameteri = nullptr;
  decltype(&glTexImage2D) TexImage2D = nullptr;
  decltype(&glTexSubImage2D) TexSubImage2D = nullptr;
  decltype(&glGetIntegerv) GetIntegerv = nullptr;

  bool Load() {
    return Get(&GetString, "glGetString") && Get(&GetError, "glGetError") && Get(&Viewport, "glViewport") &&
           Get(&ClearColor, "glClearColor") && Get(&Clear, "glClear") && Get(&PixelStorei, "glPixelStorei") &&
           Get(&ReadBuffer, "glReadBuffer") && Get(&ReadPixels, "glReadPixels") &&
           Get(&GenTextures, "glGenTextures") && Get(&DeleteTextures, "glDeleteTextures") &&
           Get(&BindTexture, "glBindTexture") && Get(&TexParameteri, "glTexParameteri") &&
           Get(&TexImage2D, "glTexImage2D") && Get(&TexSubImage2D, "glTexSubImage2D") &&
           Get(&GetIntegerv, "glGetIntegerv");
  }
  template <typename F>
  static bool Get(F* f, const char* name) {
    *f = reinterpret_cast<F>(SDL_GL_GetProcAddress(name));
    return *f != nullptr;
  }
};

class Gl3Renderer final : public Renderer {
 public:
  Gl3Renderer(SDL_Window* window, SDL_GLContext context) : window_(window), context_(context) {}

  ~Gl3Renderer() override {
    if (renderer_backend_) ImGui_ImplOpenGL3_Shutdown();
    if (platform_backend_) ImGui_ImplSDL2_Shutdown();
    SDL_GL_DeleteContext(context_);
  }

  bool Init(bool vsync, std::string* error) {
    if (SDL_GL_MakeCurrent(window_, context_) != 0) {
      *error = std::string("SDL_GL_MakeCurrent: ") + SDL_GetError();
      return false;
    }
    if (!gl_.Load()) {
      *error = "OpenGL: missing GL 1.x entry points";
      return false;
    }
    SDL_GL_SetSwapInterval(vsync ? 1 : 0);  // not fatal: some drivers refuse
    auto* gl_renderer = reinterpret_cast<const char*>(gl_.GetString(GL_RENDERER));
    name_ = std::string("OpenGL 3 (") + (gl_renderer ? gl_renderer : "?") + ")";
    platform_backend_ = ImGui_ImplSDL2_InitForOpenGL(window_, context_);
    // Fails when libGL.so.1 cannot be loaded or the context is below 3.0.
    renderer_backend_ = platform_backend_ && ImGui_ImplOpenGL3_Init("#version 130");
    if (!renderer_backend_) *error = "cannot initialise ImGui's OpenGL3 backend (needs OpenGL 3.0 and libGL.so.1)";
    return renderer_backend_;
  }

  void NewFrame() override { ImGui_ImplOpenGL3_NewFrame(); }

  void Draw(ImDrawData* data, const float rgb[3]) override {
    int w = 0, h = 0;
    DrawableSize(&w, &h);
    gl_.Viewport(0, 0, w, h);
    gl_.ClearColor(rgb[0], rgb[1], rgb[2], 1.0f);
    gl_.Clear(GL_COLOR_BUFFER_BIT);
    if (data) ImGui_ImplOpenGL3_RenderDrawData(data);
  }

  void Present() override { SDL_GL_SwapWindow(window_); }

  bool ReadBackBuffer(RgbaImage* out, std::string* error) override {
    DrawableSize(&out->width, &out->height);
    const size_t row = static_cast<size_t>(out->width) * 4;
    out->pixels.resize(row * out->height);
    while (gl_.GetError() != GL_NO_ERROR) {  // drop errors left by earlier calls
    }
    gl_.PixelStorei(GL_PACK_ALIGNMENT, 1);  // rows are not padded
    gl_.ReadBuffer(GL_BACK);                // the buffer Draw wrote; the front one is undefined after a swap
    gl_.ReadPixels(0, 0, out->width, out->height, GL_RGBA, GL_UNSIGNED_BYTE, out->pixels.data());
    if (GLenum e = gl_.GetError(); e != GL_NO_ERROR) {
      *error = "glReadPixels failed: GL error " + std::to_string(e);
      return false;
    }
    // GL's rows run bottom to top.
    std::vector<uint8_t> tmp(row);
    for (int y = 0; y < out->height / 2; ++y) {
      uint8_t* a = &out->pixels[y * row];
      uint8_t* b = &out->pixels[(out->height - 1 - y) * row];
      std::copy(a, a + row, tmp.data());
      std::copy(b, b + row, a);
      std::copy(tmp.data(), tmp.data() + row, b);
    }
    return true;
  }

  void RebuildFontTexture() override {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }

  void DrawableSize(int* w, int* h) const override { SDL_GL_GetDrawableSize(window_, w, h); }

  std::string name() const override { return name_; }

  // `opaque` changes nothing here: ImGui's GL backend blends every draw, and
  // the GPU does not mind.
  void* CreateTexture(int width, int height, const uint8_t* rgba, bool /*opaque*/, std::string* error) override {
    GLint bound = 0;
    gl_.GetIntegerv(GL_TEXTURE_BINDING_2D, &bound);
    while (gl_.GetError() != GL_NO_ERROR) {  // drop errors left by earlier calls
    }
    GLuint t = 0;
    gl_.GenTextures(1, &t);
    gl_.BindTexture(GL_TEXTURE_2D, t);
    gl_.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    gl_.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    gl_.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    gl_.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    gl_.PixelStorei(GL_UNPACK_ALIGNMENT, 1);  // rows are not padded
    gl_.TexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    const GLenum e = gl_.GetError();
    gl_.BindTexture(GL_TEXTURE_2D, static_cast<GLuint>(bound));
    if (e != GL_NO_ERROR) {
      gl_.DeleteTextures(1, &t);
      *error = "glTexImage2D failed: GL error " + std::to_string(e);
      return nullptr;
    }
    return reinterpret_cast<void*>(static_cast<intptr_t>(t));
  }

  bool UpdateTexture(void* texture, int width, int height, const uint8_t* rgba, std::string* error) override {
    GLint bound = 0;
    gl_.GetIntegerv(GL_TEXTURE_BINDING_2D, &bound);
    while (gl_.GetError() != GL_NO_ERROR) {
    }
    gl_.BindTexture(GL_TEXTURE_2D, static_cast<GLuint>(reinterpret_cast<intptr_t>(texture)));
    gl_.PixelStorei(GL_UNPACK_ALIGNMENT, 1);
    gl_.TexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    const GLenum e = gl_.GetError();
    gl_.BindTexture(GL_TEXTURE_2D, static_cast<GLuint>(bound));
    if (e != GL_NO_ERROR) {
      *error = "glTexSubImage2D failed: GL error " + std::to_string(e);
      return false;
    }
    return true;
  }

  void DestroyTexture(void* texture) override {
    GLuint t = static_cast<GLuint>(reinterpret_cast<intptr_t>(texture));
    gl_.DeleteTextures(1, &t);
  }

  int MaxTextureSize() const override {
    GLint m = 0;
    gl_.GetIntegerv(GL_MAX_TEXTURE_SIZE, &m);
    return m > 0 ? m : 2048;  // GL 3.0 guarantees at least 1024; most give 8192+
  }

 private:
  SDL_Window* window_;
  SDL_GLContext context_;
  GlFunctions gl_;
  bool platform_backend_ = false, renderer_backend_ = false;
  std::string name_;
};

}  // namespace

uint32_t PrepareGl3Window() {
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, 0);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, 0);  // 3.0 has no profiles
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
  SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
  return SDL_WINDOW_OPENGL;
}

std::unique_ptr<Renderer> CreateGl3Renderer(SDL_Window* window, bool vsync, std::string* error) {
  SDL_GLContext context = SDL_GL_CreateContext(window);
  if (!context) {
    *error = std::string("cannot create an OpenGL 3.0 context (") + SDL_GetError() +
             "); CCFIELD_RENDERER=software draws without GL";
    return nullptr;
  }
  auto renderer = std::make_unique<Gl3Renderer>(window, context);
  if (!renderer->Init(vsync, error)) return nullptr;
  return renderer;
}

}  // namespace ccfield
