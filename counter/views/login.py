"""The login screen: username, password, the counter this PC is bound to."""
from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from .base import View
from .widgets import RED, Btn, Card, Field, Heading, LoginView, Muted, SLabel, sp


class LoginScreen(View):
    """Builds the login card; a successful login starts the event feed."""

    def widget(self) -> LoginView:
        """The whole login screen."""
        outer = LoginView(orientation="vertical", padding=sp(40))
        outer.add_widget(Widget())
        row = BoxLayout(size_hint_y=None, height=sp(470))
        row.add_widget(Widget())
        card = Card(size_hint=(None, None), width=sp(460), height=sp(470), padding=sp(28), spacing=sp(12))
        card.add_widget(Heading(text=self.t("login_title"), font_size=sp(26), height=sp(38)))
        counter = self.ctl.counter
        card.add_widget(Muted(text=(self.t("login_bound", counter=self.ctl.counter_label()) + " " if counter else "")
                            + self.t("login_help")))
        card.add_widget(SLabel(text=self.t("username")))
        user = self.reg("username", Field(hint_text=self.t("hint_username")))
        card.add_widget(user)
        card.add_widget(SLabel(text=self.t("password")))
        pw = self.reg("password", Field(password=True, hint_text=self.t("password")))
        card.add_widget(pw)
        card.add_widget(self.reg("login_message", SLabel(text="", color=RED)))
        card.add_widget(Widget())
        btn = self.reg("login", Btn(text=self.t("btn_login")))
        card.add_widget(btn)

        def go(*_):
            self.app.w["login_message"].text = ""
            self.act(self.ctl.login, user.text, pw.text, then=lambda ok: ok and self.app.start_events())
        btn.bind(on_release=go)
        pw.bind(on_text_validate=go)
        row.add_widget(card)
        row.add_widget(Widget())
        outer.add_widget(row)
        outer.add_widget(Widget())
        outer.add_widget(Label(text=self.t("login_footer"), font_name=self.app.font, color=(1, 1, 1, 0.7),
                               size_hint_y=None, height=sp(30), font_size=sp(13)))
        return outer
