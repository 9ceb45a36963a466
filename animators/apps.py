from django.apps import AppConfig


class AnimatorsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'animators'
