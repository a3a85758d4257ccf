from django.urls import path

from ads import views

app_name = "ads"

urlpatterns = [
    path("<int:pk>/click/", views.click, name="click"),
]
