urlpatterns: list = []  # placeholder until its owner writes it
